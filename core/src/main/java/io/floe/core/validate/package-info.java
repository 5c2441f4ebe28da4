/**
 * Checks an inbound record must pass before it may influence a model, and the reasons a record
 * is rejected with (they travel to the dead-letter topic and into reports).
 */
package io.floe.core.validate;
