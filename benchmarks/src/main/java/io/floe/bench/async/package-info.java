/** {@code ./floe bench async}: sync rounds, deadlines, FedAsync and FedBuff under stragglers and dropouts. */
package io.floe.bench.async;
