/** Byte encodings of tensor values as they travel in records (dense float32 little-endian). */
package io.floe.core.codec;
