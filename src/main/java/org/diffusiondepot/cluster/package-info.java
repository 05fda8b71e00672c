/**
 * Training across processes and machines on TensorFlow's own distributed runtime (gRPC servers,
 * TF_CONFIG). The training loop's side (the chief's session, the layout spread over the workers)
 * is {@code train.ClusterTraining}; this package knows nothing of models.
 *
 * <ul>
 *   <li>{@link org.diffusiondepot.cluster.ClusterSpec}: the cluster and this process's task, from
 *       TF_CONFIG or a ClusterDef text file plus a task index.
 *   <li>{@link org.diffusiondepot.cluster.ClusterServer}: this task's server (it cannot be stopped;
 *       it lives as long as the process).
 *   <li>{@link org.diffusiondepot.cluster.RemoteSession}: a Session on {@code grpc://host:port}.
 *   <li>{@link org.diffusiondepot.cluster.ClusterProbe}: fail fast, naming the task, where
 *       TensorFlow would wait forever for a missing worker.
 *   <li>{@link org.diffusiondepot.cluster.CollectiveAllReduce}: the mean over workers with
 *       CollectiveReduceV2 (between-graph replication).
 *   <li>{@link org.diffusiondepot.cluster.StepWatchdog}: bounds each step and names a dead worker.
 *   <li>{@link org.diffusiondepot.cluster.TowerPlacement}: pins each tower's backprop to its device.
 *   <li>{@link org.diffusiondepot.cluster.ClusterWorker}: what a worker other than the chief does
 *       (serve until the chief says the run is over, or is gone), and how the chief says it.
 * </ul>
 *
 * <p>Facts measured with TensorFlow Java 1.1.0 (TF 2.18 CPU) on localhost, which the code relies
 * on: a remote session against a port nobody listens on retries for minutes unless
 * {@code operation_timeout_in_ms} is set (then "Deadline Exceeded" after that long); a master
 * whose cluster lists a worker that is not up logs "CreateSession still waiting for response
 * from worker" forever, timeout or not; {@code Graph.addGradients} places no gradient op, so in a
 * graph with towers on several workers every tower's backprop runs on the session's own task
 * unless the gradient ops are given devices (TowerPlacement). The probes that
 * established these live in src/test/.../cluster/probe and run with {@code tools/cluster-probe}.
 */
package org.diffusiondepot.cluster;
