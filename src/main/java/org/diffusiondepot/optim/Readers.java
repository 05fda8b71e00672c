package org.diffusiondepot.optim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;

/**
 * The ops that read a variable's buffer. Identity and Reshape of a ref variable alias its memory,
 * so an in-place update must wait for every op that consumes the read or an alias of it, and for
 * nothing else: layers near the output can then be updated while backprop still runs near the
 * input.
 */
final class Readers {
  private static final Set<String> ALIASING = Set.of("Identity", "Reshape", "ExpandDims", "Squeeze", "Snapshot");

  private Readers() {}

  static Set<GraphOperation> of(Operand<?> read) {
    Set<GraphOperation> readers = new HashSet<>();
    Deque<GraphOperation> pending = new ArrayDeque<>();
    pending.push((GraphOperation) read.op());
    while (!pending.isEmpty()) {
      GraphOperation op = pending.pop();
      for (GraphOperation consumer : op.consumers()) {
        if (readers.add(consumer) && ALIASING.contains(consumer.type())) {
          pending.push(consumer);
        }
      }
    }
    return readers;
  }
}
