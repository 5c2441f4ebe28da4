package io.floe.trainer.daemon;

import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;

/**
 * One round of local work on a site: train from a global version on local data and return the
 * update to publish (delta {@code w_local - w_base}, example count, local metrics). The data never
 * leaves the implementation.
 */
public interface LocalTraining {

    /** @return the update to publish, or null when this site gives up on the version (nothing is published) */
    ModelUpdate train(GlobalModel base);
}
