/**
 * The bridge between the Avro wire contract (module schemas) and core types: single-object
 * encoding of records and the mapping of Avro tensors to core tensors.
 */
package io.floe.core.wire;
