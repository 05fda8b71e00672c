package org.diffusiondepot.serve;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every job by id, in arrival order. Ids are random, so that only whoever submitted a job (and
 * whoever they show it to) can follow or cancel it. Finished jobs are kept for an hour, and beyond
 * {@link #capacity} jobs the oldest finished ones go first, so memory stays bounded.
 */
final class Jobs {
  static final long RETENTION_MILLIS = 60 * 60 * 1000L;

  private final Map<String, Job> byId = new LinkedHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final int capacity;

  Jobs(int capacity) {
    this.capacity = capacity;
  }

  synchronized String newId() {
    byte[] bytes = new byte[9];
    String id;
    do {
      random.nextBytes(bytes);
      id = HexFormat.of().formatHex(bytes);
    } while (byId.containsKey(id));
    return id;
  }

  synchronized void add(Job job) {
    evict();
    byId.put(job.id(), job);
  }

  synchronized Job get(String id) {
    return byId.get(id);
  }

  private void evict() {
    long now = System.currentTimeMillis();
    int excess = byId.size() + 1 - capacity;
    for (Iterator<Job> it = byId.values().iterator(); it.hasNext(); ) {
      Job job = it.next();
      long finished = job.finishedAt();
      if (finished > 0 && (excess > 0 || now - finished > RETENTION_MILLIS)) {
        it.remove();
        excess--;
      }
    }
  }
}
