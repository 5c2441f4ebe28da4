/** Named float32 tensors and the ordered sets of them that make a model's weights or a delta. */
package io.floe.core.tensor;
