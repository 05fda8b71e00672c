package org.diffusiondepot.train;

import java.util.ArrayList;
import java.util.List;
import org.diffusiondepot.proto.Prediction;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.DiffusionTask;
import org.diffusiondepot.task.NoisePredictor;
import org.diffusiondepot.task.VelocityPrediction;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/** The EMA-weight forward pass of a training graph, for previews while training; eps, as samplers want. */
final class SessionPredictor implements NoisePredictor {
  private final Session session;
  private final TrainingGraph graph;
  private final DiffusionTask task;
  private final NoiseSchedule schedule;
  private final Prediction prediction;

  SessionPredictor(Session session, TrainingGraph graph, DiffusionTask task, NoiseSchedule schedule,
      Prediction prediction) {
    this.session = session;
    this.graph = graph;
    this.task = task;
    this.schedule = schedule;
    this.prediction = prediction;
  }

  @Override
  public float[] predict(float[] xt, int[] t, Conditioning condition, int batch) {
    int size = graph.denoiser.modelSize();
    int channels = graph.denoiser.modelChannels();
    List<Tensor> owned = new ArrayList<>();
    try {
      Tensor x = Tensors.of(xt, batch, size, size, channels);
      Tensor steps = Tensors.of(t, batch);
      owned.add(x);
      owned.add(steps);
      Session.Runner runner = session.runner().feed(graph.sampleXt, x).feed(graph.sampleT, steps);
      DiffusionTraining.feed(runner, graph.sampleCondition, condition, batch, owned, task);
      try (Result r = runner.fetch(graph.sampleEps).run()) {
        return VelocityPrediction.asNoise(Tensors.floats((TFloat32) r.get(0)), xt, t, batch, schedule, prediction);
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }
}
