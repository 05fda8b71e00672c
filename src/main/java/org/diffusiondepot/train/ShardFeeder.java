package org.diffusiondepot.train;

import java.io.PrintStream;
import java.util.List;
import org.diffusiondepot.cluster.ClusterException;
import org.diffusiondepot.cluster.ClusterServer;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.data.DataException;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.run.TrainingData;
import org.tensorflow.Tensor;

/**
 * What a worker other than the chief does beside serving its devices: it reads its own rows of
 * every training batch from its own copy of the data, encodes them as the chief would, and puts
 * them into the queue its towers take them from ({@link BatchShards}). It starts at the step the
 * chief announces, so a resumed run continues the same sequence of batches.
 */
final class ShardFeeder {
  private ShardFeeder() {}

  /**
   * Starts feeding on a background thread. A failure (an unreadable data set, an encoder that
   * cannot load its first stage) is printed as this worker's one error line and ends the process
   * with {@link ClusterException#EXIT_CODE}: the chief then sees the worker gone and stops the run
   * naming it.
   */
  static void start(ClusterServer server, BatchShards.Shard shard, ExperimentConfig config, TrainingData data,
      BatchEncoder.Factory encoders, PrintStream out) {
    Thread feeder = new Thread(() -> {
      try {
        feed(server, shard, config, data, encoders, out);
      } catch (RuntimeException e) {
        System.out.flush();
        System.err.println("error: worker " + shard.task() + " cannot feed its rows of the batch: "
            + ClusterServer.firstLine(String.valueOf(e.getMessage())));
        System.err.flush();
        Runtime.getRuntime().halt(ClusterException.EXIT_CODE);
      }
    }, "shard-feeder");
    feeder.setDaemon(true);
    feeder.start();
  }

  private static void feed(ClusterServer server, BatchShards.Shard shard, ExperimentConfig config, TrainingData data,
      BatchEncoder.Factory encoders, PrintStream out) {
    TrainConfig train = config.getTrain();
    BatchLoader.Rows rows = shard.rows();
    try (BatchEncoder encoder = encoders.create(new TrainingContext(config, data, out));
        BatchShards.Writer writer = new BatchShards.Writer(server.target(), shard, encoder.inputs())) {
      BatchShards.Start announced = writer.awaitStart();
      long start = announced.step();
      if (announced.trainingImages() != data.split().train().length) {
        throw new DataException("its data (" + data.source() + ") has "
            + data.split().train().length + " training images and the chief's has " + announced.trainingImages()
            + ": --data must name the same images on every machine");
      }
      out.printf("worker %d reads rows %d-%d of every batch of %d from %s, from step %d%n", shard.task(), rows.first(),
          rows.end() - 1, train.getBatchSize(), data.source(), start);
      out.flush();
      try (BatchLoader loader = new BatchLoader(data.dataset(), data.split().train(), train.getBatchSize(), rows,
          config.getData().getRandomFlip(), train.getSeed(), start, config.getData().getLoaderThreads(),
          out::println)) {
        for (long step = start; ; step++) {
          Batch batch = loader.next();
          List<Tensor> tensors = encoder.encode(batch, step, rows.first());
          try {
            writer.put(step, tensors);
          } finally {
            tensors.forEach(Tensor::close);
          }
        }
      }
    }
  }
}
