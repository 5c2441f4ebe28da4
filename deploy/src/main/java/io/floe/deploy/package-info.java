/** The {@code ./floe} command line: the embedded demo plus the trainer and register commands. */
package io.floe.deploy;
