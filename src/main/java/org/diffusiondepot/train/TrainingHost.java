package org.diffusiondepot.train;

import java.io.IOException;
import org.diffusiondepot.cluster.ClusterException;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.proto.ExperimentConfig;
import org.tensorflow.Session;

/**
 * Where the {@link TrainLoop}'s session runs: in this process ({@link #LOCAL}), or on a cluster
 * that this process drives as its chief ({@link ClusterChief}). The loop is the same for both; the
 * host decides the layout the model is built with, opens the session, and bounds the calls that
 * need every machine.
 */
interface TrainingHost {
  /** A session in this process, calls unguarded: a single-machine run. */
  TrainingHost LOCAL = new TrainingHost() {
    @Override
    public ExperimentConfig configure(ExperimentConfig config) {
      return config;
    }

    @Override
    public Session open(TrainingModel model, TrainingLayout layout) {
      return new Session(model.graph(), model.sessionConfig());
    }

    @Override
    public <T> T guard(String what, Call<T> call) throws IOException {
      return call.run();
    }

    @Override
    public BatchLoader.Rows rows(ExperimentConfig config) {
      return BatchLoader.Rows.all(config.getTrain().getBatchSize());
    }

    @Override
    public void starting(long step, int trainingImages) {}
  };

  /** A session call that may write files. */
  @FunctionalInterface
  interface Call<T> {
    T run() throws IOException;
  }

  /** The config the model is built from (a cluster spreads its replicas over the workers). */
  ExperimentConfig configure(ExperimentConfig config);

  /** The training session on the model's graph, which nothing has run yet. */
  Session open(TrainingModel model, TrainingLayout layout);

  /**
   * Runs a session call that involves the other machines (a step, the first run, a save), so that
   * a machine that dies or hangs ends it with one line naming the machine.
   *
   * @param what names the call in that line, e.g. "step 12"
   */
  <T> T guard(String what, Call<T> call) throws IOException;

  /** The rows of every training batch this process reads (all of them, unless other machines read theirs). */
  BatchLoader.Rows rows(ExperimentConfig config);

  /**
   * Called once the session holds the state training starts from, at {@code step}: a cluster's
   * chief tells the workers, which read their own rows, where the sequence of batches resumes
   * (and how many training images it has, which theirs must match).
   */
  void starting(long step, int trainingImages);

  /**
   * Ends the run on {@code failure}, a machine of the cluster that died or hung. The local host
   * returns it to be thrown; the chief prints it, tells the workers and ends the process, because
   * closing a session whose worker is gone blocks in TensorFlow (TF_CloseSession retries the dead
   * worker), and the graph cannot close before the session.
   */
  default ClusterException stop(ClusterException failure) {
    return failure;
  }
}
