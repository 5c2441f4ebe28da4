package io.floe.deploy.chaos;

/**
 * What a {@link FaultInjector} strikes: floe's server side with a broker that can be stopped and
 * brought back on the same port and data, and TaskManagers that can be lost and replaced.
 * Calls come in pairs from one thread: {@link #stopBroker()} then {@link #restartBroker()},
 * {@link #loseTaskManager()} then {@link #replaceTaskManager()}.
 */
public interface FaultTarget {
    /** Stops the broker; its data stays. */
    void stopBroker() throws Exception;

    /** Starts the same broker again: same ports, same data. */
    void restartBroker() throws Exception;

    /** Shuts down the TaskManager that runs the job, as a lost machine. */
    void loseTaskManager() throws Exception;

    /** Starts a TaskManager in place of the lost one. */
    void replaceTaskManager() throws Exception;

    /** Epoch millis when the last of the job's tasks became RUNNING, or -1 while not all of them are. */
    long allTasksRunningSince() throws Exception;
}
