/** Privacy-utility experiments: test AUC against epsilon for local DP-SGD and for central DP-FedAvg. */
package io.floe.bench.privacy;
