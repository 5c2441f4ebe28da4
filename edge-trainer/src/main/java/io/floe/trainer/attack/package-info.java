/**
 * The attack suite: trainers that send malicious updates, so experiments can show what robust
 * aggregation rules and anomaly scoring hold off.
 *
 * <p>{@link io.floe.trainer.attack.AttackingTraining} is a {@code LocalTraining} that trains
 * honestly on the attacker's own data and then applies an {@link io.floe.trainer.attack.Attack}
 * parsed from a name such as {@code sign-flip} or {@code scale:boost=20}. Model poisoning
 * ({@link io.floe.trainer.attack.ModelPoisoning}: sign flip, scaling, Gaussian, free riding)
 * rewrites the delta; data poisoning ({@link io.floe.trainer.attack.DataPoisoning}: label flip;
 * {@link io.floe.trainer.attack.Backdoor}: trigger pattern to target label with model-replacement
 * scaling) changes what the attacker trains on. Colluding attackers share statistics through one
 * in-JVM {@link io.floe.trainer.attack.Collusion}, which also tells them the federation size
 * and their number; {@link io.floe.trainer.attack.LittleIsEnough} crafts ALIE's update from them.
 *
 * <p>Everything here is deterministic given the trainer's seed, the model id and the version.
 */
package io.floe.trainer.attack;
