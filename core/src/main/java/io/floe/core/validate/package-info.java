/**
 * Checks an inbound update must pass before it may influence a model
 * ({@link io.floe.core.validate.UpdateValidator}, given the round's or the async mode's admission
 * rule as an {@link io.floe.core.validate.UpdateValidator.Admission}), and the reasons a record is
 * rejected with (they travel to the dead-letter topic and into reports). Checks of a whole
 * ModelSpec live with the settings they check, in package {@code settings}.
 */
package io.floe.core.validate;
