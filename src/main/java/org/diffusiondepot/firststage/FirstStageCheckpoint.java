package org.diffusiondepot.firststage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.nn.VariableStore;
import org.diffusiondepot.run.CheckpointStore;
import org.diffusiondepot.run.RunDirectory;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Loads a first-stage run's weights into the variables of another graph, e.g. a latent-diffusion
 * training graph built with {@code VariableStore.forRestore(tf, root)} and
 * {@link FirstStageNetwork#encode}: {@code Session.restore} would also look for that graph's own
 * variables in the checkpoint, this restores exactly the first stage's.
 */
public final class FirstStageCheckpoint {
  private FirstStageCheckpoint() {}

  /** The latest checkpoint prefix of a first-stage run directory. */
  public static Path latest(Path runDir) throws IOException {
    return new CheckpointStore(new RunDirectory(runDir).checkpoints(), 1).latest().orElseThrow(
        () -> new ConfigException(runDir + " has no checkpoint yet; train the first stage first"));
  }

  /**
   * One op that assigns every variable of {@code store} from the checkpoint. The variables may
   * live under any root: {@code <root>/encoder/conv_in/kernel} is read from the checkpoint's
   * {@code vqgan.encoder.conv_in.kernel}. Build it before the session starts and run it once,
   * after initialising the graph's other variables.
   *
   * @param root the root {@code store} was created with
   */
  public static Op restoreOp(Ops tf, VariableStore store, String root, Path checkpointPrefix) {
    Map<String, Variable<TFloat32>> variables = store.variables();
    if (variables.isEmpty()) {
      throw new IllegalArgumentException("the store has no variables yet: build encode/decode with it first");
    }
    String[] keys = new String[variables.size()];
    String[] slices = new String[variables.size()];
    int i = 0;
    for (String name : variables.keySet()) {
      if (!name.startsWith(root + "/")) {
        throw new IllegalArgumentException(name + " is not under root " + root);
      }
      keys[i] = VariableStore.opName(FirstStageNetwork.ROOT + name.substring(root.length()));
      slices[i++] = "";
    }
    Ops restoring = VariableStore.scopedOps(tf, root + "/restore_first_stage");
    List<Class<? extends TType>> types = new ArrayList<>(Collections.nCopies(keys.length, TFloat32.class));
    Restore restore = restoring.train.restore(tf.constant(checkpointPrefix.toString()),
        tf.constant(Shape.of(keys.length), DataBuffers.ofObjects(keys)),
        tf.constant(Shape.of(slices.length), DataBuffers.ofObjects(slices)), types);
    List<Op> assigns = new ArrayList<>();
    i = 0;
    for (Variable<TFloat32> variable : variables.values()) {
      Operand<TFloat32> value = restore.tensors().get(i++).expect(TFloat32.class);
      assigns.add(tf.assign(variable, value));
    }
    return tf.withControlDependencies(assigns).withName(VariableStore.opName(root + "/first_stage_restored")).noOp();
  }
}
