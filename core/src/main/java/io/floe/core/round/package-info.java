/**
 * Synchronous rounds: which version is open, which clients have contributed, when the round
 * closes, and how a closed round becomes the next global model and its report.
 */
package io.floe.core.round;
