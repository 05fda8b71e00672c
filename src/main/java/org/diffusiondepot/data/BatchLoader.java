package org.diffusiondepot.data;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.diffusiondepot.image.Images;
import org.diffusiondepot.runtime.Seeds;

/**
 * Training batches decoded ahead of time on background threads. Which images form batch k, and
 * whether each is flipped, depends only on (seed, k) and on which files are unreadable, never on
 * thread timing: a run resumed at step k sees exactly the batches an uninterrupted one would.
 *
 * <p>Epoch e is {@code indices} shuffled by a Random seeded from (seed, e); batch k takes the
 * {@code batchSize} items from position k * batchSize of the endless sequence of epochs. An
 * unreadable image is reported once, never tried again, and its slot gets the first readable image
 * of {@code indices} from a position chosen by (seed, k, slot).
 */
public final class BatchLoader implements AutoCloseable {
  private static final int PREFETCH_BATCHES = 3;
  private static final long CACHE_LIMIT_BYTES = 1L << 30;
  private static final long CLOSE_TIMEOUT_SECONDS = 5;
  // Salts keep the shuffle, flip and replacement streams independent under the same seed.
  private static final long SHUFFLE = 0x5348554646L;
  private static final long FLIP = 0x464c4950L;
  private static final long REPLACE = 0x5245504cL;

  private final ImageDataset ds;
  private final int[] indices;
  private final int batchSize;
  private final Rows rows;
  private final boolean randomFlip;
  private final long seed;
  private final long startStep;
  private final Consumer<String> warnings;
  private final int imageValues;
  private final Cache<Integer, Example> cache;
  private final Set<Integer> unreadable = ConcurrentHashMap.newKeySet();
  private final Queue<String> pendingWarnings = new ConcurrentLinkedQueue<>();
  private final BlockingQueue<Result> ready = new ArrayBlockingQueue<>(PREFETCH_BATCHES);
  private final ExecutorService workers;
  private final Thread producer;
  private volatile boolean closed;
  private RuntimeException failure;

  // Touched by the producer thread only.
  private long orderEpoch = -1;
  private int[] order;

  /** What the producer hands over: a batch, or the error that stopped it. */
  private record Result(Batch batch, RuntimeException error) {}

  /**
   * Rows {@code [first, first + count)} of every batch: one worker's shard when the workers of a
   * cluster each read their own part of the global batch. Slot {@code first + i} keeps the image,
   * flip and replacement it has in the whole batch, so the shards of all workers together are
   * exactly the batch one process would load.
   */
  public record Rows(int first, int count) {
    public Rows {
      if (first < 0 || count < 1) {
        throw new IllegalArgumentException("rows need first >= 0 and count >= 1, got " + first + ", " + count);
      }
    }

    public static Rows all(int batchSize) {
      return new Rows(0, batchSize);
    }

    public int end() {
      return first + count;
    }
  }

  /**
   * @param indices dataset indices to train on (e.g. {@link Split#train()})
   * @param startStep index of the first batch, so a resumed run continues the same sequence
   * @param threads decoding threads
   * @param warnings receives one message per unreadable file, on the thread that calls next()
   */
  public BatchLoader(ImageDataset ds, int[] indices, int batchSize, boolean randomFlip, long seed, long startStep,
      int threads, Consumer<String> warnings) {
    this(ds, indices, batchSize, Rows.all(batchSize), randomFlip, seed, startStep, threads, warnings);
  }

  /**
   * As above, loading only {@code rows} of each batch of {@code batchSize} (the batches it returns
   * hold {@code rows.count()} images).
   */
  public BatchLoader(ImageDataset ds, int[] indices, int batchSize, Rows rows, boolean randomFlip, long seed,
      long startStep, int threads, Consumer<String> warnings) {
    if (indices.length == 0) {
      throw new IllegalArgumentException("no images to load: the index list is empty");
    }
    if (batchSize < 1 || threads < 1 || startStep < 0) {
      throw new IllegalArgumentException("need batchSize >= 1, threads >= 1 and startStep >= 0, got " + batchSize
          + ", " + threads + ", " + startStep);
    }
    if (rows.end() > batchSize) {
      throw new IllegalArgumentException("rows " + rows.first() + ".." + (rows.end() - 1) + " are not all in a batch of "
          + batchSize);
    }
    for (int index : indices) {
      if (index < 0 || index >= ds.size()) {
        throw new IllegalArgumentException("index " + index + " outside the data set of " + ds.size() + " images");
      }
    }
    this.ds = ds;
    this.indices = indices.clone();
    this.batchSize = batchSize;
    this.rows = rows;
    this.randomFlip = randomFlip;
    this.seed = seed;
    this.startStep = startStep;
    this.warnings = Objects.requireNonNull(warnings, "warnings");
    this.imageValues = ds.resolution() * ds.resolution() * ds.channels();
    this.cache = cacheFor(Arrays.stream(indices).distinct().count() * imageValues * Float.BYTES);
    this.workers = Executors.newFixedThreadPool(threads,
        new ThreadFactoryBuilder().setDaemon(true).setNameFormat("batch-loader-worker-%d").build());
    this.producer = new ThreadFactoryBuilder().setDaemon(true).setNameFormat("batch-loader").build()
        .newThread(this::produce);
    producer.start();
  }

  /**
   * Keeps every decoded image when the whole training set fits in ~1 GiB (and a quarter of the
   * heap); larger sets are decoded on demand, since a shuffled pass through a partial cache mostly
   * misses anyway.
   */
  private static Cache<Integer, Example> cacheFor(long totalBytes) {
    long limit = Math.min(CACHE_LIMIT_BYTES, Runtime.getRuntime().maxMemory() / 4);
    if (totalBytes > limit) {
      return null;
    }
    return CacheBuilder.newBuilder()
        .maximumWeight(limit)
        .weigher((Integer index, Example ex) -> ex.pixels().length * Float.BYTES)
        .build();
  }

  /** The next batch in sequence; blocks until it is decoded. */
  public Batch next() {
    if (closed) {
      throw new IllegalStateException("this BatchLoader is closed");
    }
    if (failure != null) {
      throw failure;
    }
    Result result;
    try {
      // Polls so that a close() from another thread cannot leave this caller waiting forever.
      while ((result = ready.poll(100, TimeUnit.MILLISECONDS)) == null) {
        if (closed) {
          throw new IllegalStateException("this BatchLoader was closed while waiting for a batch");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataException("interrupted while waiting for a training batch", e);
    }
    for (String warning; (warning = pendingWarnings.poll()) != null; ) {
      warnings.accept(warning);
    }
    if (result.error() != null) {
      failure = result.error();
      throw failure;
    }
    return result.batch();
  }

  /** Number of distinct files found unreadable so far. */
  public int skippedCount() {
    return unreadable.size();
  }

  /** Stops the threads; waits a few seconds at most for a decode that is under way to finish. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    producer.interrupt();
    workers.shutdownNow();
    try {
      producer.join(TimeUnit.SECONDS.toMillis(CLOSE_TIMEOUT_SECONDS));
      workers.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ready.clear();
    if (cache != null) {
      cache.invalidateAll();
    }
  }

  private void produce() {
    try {
      for (long step = startStep; !closed; step++) {
        ready.put(new Result(assemble(step), null));
      }
    } catch (InterruptedException e) {
      // close() asked us to stop.
    } catch (RuntimeException | Error e) {
      if (!closed) {
        RuntimeException error = e instanceof DataException de ? de
            : new DataException("loading training batches failed: " + e, e);
        try {
          ready.put(new Result(null, error));
        } catch (InterruptedException closing) {
          // close() asked us to stop.
        }
      }
    }
  }

  private Batch assemble(long step) throws InterruptedException {
    float[] images = new float[rows.count() * imageValues];
    int[] labels = new int[rows.count()];
    List<Callable<Void>> slots = new ArrayList<>(rows.count());
    for (int pos = rows.first(); pos < rows.end(); pos++) {
      long position = step * batchSize + pos;
      int item = epochOrder(Math.floorDiv(position, indices.length))[Math.floorMod(position, indices.length)];
      int slot = pos;
      slots.add(() -> {
        fill(step, slot, item, images, labels);
        return null;
      });
    }
    for (Future<Void> done : workers.invokeAll(slots)) {
      try {
        done.get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw new DataException("loading training batches failed: " + cause, cause);
      }
    }
    return new Batch(images, labels, rows.count(), ds.resolution(), ds.channels());
  }

  private int[] epochOrder(long epoch) {
    if (epoch != orderEpoch) {
      order = indices.clone();
      Random random = new Random(Seeds.mix(seed, SHUFFLE, epoch));
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      orderEpoch = epoch;
    }
    return order;
  }

  private void fill(long step, int slot, int item, float[] images, int[] labels) {
    Example example = tryLoad(item);
    if (example == null) {
      int n = indices.length;
      int start = Math.floorMod(Seeds.mix(seed, REPLACE, step, slot), n);
      for (int k = 0; k < n && example == null; k++) {
        example = tryLoad(indices[(start + k) % n]);
      }
      if (example == null) {
        throw new DataException("none of the " + unreadable.size() + " training images could be decoded, e.g. "
            + ds.describe(item));
      }
    }
    boolean flip = randomFlip && (Seeds.mix(seed, FLIP, step, slot) & 1) == 1;
    float[] pixels = flip ? Images.flipHorizontal(example.pixels(), ds.resolution(), ds.channels())
        : example.pixels();
    int row = slot - rows.first();
    System.arraycopy(pixels, 0, images, row * imageValues, imageValues);
    labels[row] = example.label();
  }

  /** The decoded item, or null if it is (now known to be) unreadable. */
  private Example tryLoad(int item) {
    if (unreadable.contains(item)) {
      return null;
    }
    Example cached = cache == null ? null : cache.getIfPresent(item);
    if (cached != null) {
      return cached;
    }
    try {
      Example example = checked(ds, item, ds.get(item));
      if (cache != null) {
        cache.put(item, example);
      }
      return example;
    } catch (IOException e) {
      if (unreadable.add(item)) {
        pendingWarnings.add(unreadableWarning(ds.describe(item), e));
      }
      return null;
    }
  }

  private static String unreadableWarning(String name, IOException e) {
    String reason = String.valueOf(e.getMessage());
    // Folder data sets already put the path in the message; do not print it twice.
    return reason.contains(name) ? "skipping unreadable image: " + reason
        : "skipping unreadable image " + name + ": " + reason;
  }

  private static Example checked(ImageDataset ds, int item, Example example) {
    int expected = ds.resolution() * ds.resolution() * ds.channels();
    if (example.pixels().length != expected) {
      throw new DataException(ds.describe(item) + " decoded to " + example.pixels().length + " values, expected "
          + ds.resolution() + "x" + ds.resolution() + "x" + ds.channels());
    }
    return example;
  }

  /**
   * Items {@code indices[from, from + count)} (fewer at the end of the list), in order and without
   * flips: for validation and evaluation. An unreadable image throws a DataException naming it,
   * since silently evaluating on a different set would make numbers incomparable.
   */
  public static Batch load(ImageDataset ds, int[] indices, int from, int count) {
    if (from < 0 || from >= indices.length || count < 1) {
      throw new IllegalArgumentException("cannot take " + count + " items from position " + from + " of "
          + indices.length);
    }
    int size = Math.min(count, indices.length - from);
    int imageValues = ds.resolution() * ds.resolution() * ds.channels();
    float[] images = new float[size * imageValues];
    int[] labels = new int[size];
    for (int i = 0; i < size; i++) {
      int item = indices[from + i];
      Example example;
      try {
        example = checked(ds, item, ds.get(item));
      } catch (IOException e) {
        throw new DataException("cannot load evaluation image " + ds.describe(item) + ": " + e.getMessage(), e);
      }
      System.arraycopy(example.pixels(), 0, images, i * imageValues, imageValues);
      labels[i] = example.label();
    }
    return new Batch(images, labels, size, ds.resolution(), ds.channels());
  }
}
