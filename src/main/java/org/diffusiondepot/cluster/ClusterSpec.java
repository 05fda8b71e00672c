package org.diffusiondepot.cluster;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.diffusiondepot.config.ConfigException;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;

/**
 * Which machines train together and which one this process is: TensorFlow's {@link ClusterDef}
 * (jobs of {@code host:port} tasks) plus this process's job and task index.
 *
 * <p>Read the TensorFlow way, from either
 * <ul>
 *   <li>the {@code TF_CONFIG} environment variable, {@code {"cluster": {"worker": ["host:port",
 *       ...]}, "task": {"type": "worker", "index": i}}}, as Kubernetes operators and TensorFlow's
 *       own launchers set it, or
 *   <li>a ClusterDef in protobuf text format ({@code --cluster FILE}) and a task index ({@code
 *       --task i}) in job {@code worker}.
 * </ul>
 * Worker 0 is the chief (it writes checkpoints and events), as in TensorFlow when no {@code chief}
 * job is given. Bad input throws {@link ConfigException} naming the variable or file, the field and
 * what was expected, so the CLI can print it as one line.
 */
public final class ClusterSpec {
  /** The job every training process belongs to; {@code --task i} indexes it. */
  public static final String WORKER = "worker";

  private static final String TF_CONFIG = "TF_CONFIG";

  private final ClusterDef cluster;
  private final String job;
  private final int task;

  private ClusterSpec(ClusterDef cluster, String job, int task) {
    this.cluster = cluster;
    this.job = job;
    this.task = task;
  }

  /** The spec from {@code TF_CONFIG} in {@code env}, or empty when the variable is unset or blank. */
  public static Optional<ClusterSpec> fromEnvironment(Map<String, String> env) {
    String json = env.get(TF_CONFIG);
    if (json == null || json.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(fromTfConfig(json));
  }

  /** Parses a {@code TF_CONFIG} value. */
  public static ClusterSpec fromTfConfig(String json) {
    JsonObject root = object(parseJson(json), "");
    for (String key : root.keySet()) {
      // TensorFlow's launchers also write "environment" ("cloud") and "rpc_layer"; anything else
      // is most likely a misspelt "cluster" or "task", which should not pass silently.
      if (!Set.of("cluster", "task", "environment", "rpc_layer").contains(key)) {
        throw tfConfig(key, "is not a TF_CONFIG field (expected cluster, task, environment, rpc_layer)");
      }
    }
    if (root.has("rpc_layer")) {
      String rpc = string(root.get("rpc_layer"), "rpc_layer");
      if (!rpc.equals("grpc")) {
        throw tfConfig("rpc_layer", "is \"" + rpc + "\", expected \"grpc\" (the only protocol built in)");
      }
    }
    JsonObject clusterJson = object(required(root, "cluster", ""), "cluster");
    ClusterDef.Builder cluster = ClusterDef.newBuilder();
    for (Map.Entry<String, JsonElement> job : clusterJson.entrySet()) {
      String field = "cluster." + job.getKey();
      if (!job.getValue().isJsonArray()) {
        throw tfConfig(field, "is " + job.getValue() + ", expected a list of \"host:port\"");
      }
      JsonArray addresses = job.getValue().getAsJsonArray();
      JobDef.Builder jobDef = JobDef.newBuilder().setName(job.getKey());
      for (int i = 0; i < addresses.size(); i++) {
        jobDef.putTasks(i, string(addresses.get(i), field + "[" + i + "]"));
      }
      cluster.addJob(jobDef);
    }
    JsonObject taskJson = object(required(root, "task", ""), "task");
    for (String key : taskJson.keySet()) {
      if (!Set.of("type", "index").contains(key)) {
        throw tfConfig("task." + key, "is not a task field (expected type, index)");
      }
    }
    String type = string(required(taskJson, "type", "task."), "task.type");
    int index = integer(required(taskJson, "index", "task."), "task.index");
    return validated(cluster.build(), type, index, TF_CONFIG, "task.type", "task.index", true);
  }

  /** Reads a ClusterDef in protobuf text format; this process is task {@code task} of job worker. */
  public static ClusterSpec fromClusterFile(Path file, int task) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such cluster file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read the cluster file: " + e.getMessage(), e);
    }
    return fromClusterText(text, file.toString(), task);
  }

  /**
   * Parses a ClusterDef text, e.g. {@code job { name: "worker" tasks { key: 0 value:
   * "host:2222" } }}; {@code source} names it in errors.
   */
  public static ClusterSpec fromClusterText(String text, String source, int task) {
    ClusterDef.Builder cluster = ClusterDef.newBuilder();
    try {
      TextFormat.merge(text, cluster);
    } catch (TextFormat.ParseException e) {
      // The message starts with line:column, which is what a reader needs.
      String oneLine = e.getMessage().replaceAll("\\s+", " ");
      throw new ConfigException(source + ": not a ClusterDef in text format: " + oneLine, e);
    }
    return validated(cluster.build(), WORKER, task, source, "job \"worker\"", "--task", false);
  }

  private static ClusterSpec validated(ClusterDef cluster, String job, int task, String source, String jobField,
      String taskField, boolean json) {
    if (cluster.getJobCount() == 0) {
      throw new ConfigException(source + ": the cluster has no jobs, expected at least " + WORKER
          + " with one \"host:port\" per process");
    }
    Map<String, String> owners = new HashMap<>();
    Map<String, Integer> sizes = new TreeMap<>();
    for (JobDef j : cluster.getJobList()) {
      String where = source + ": " + (json ? "cluster." + j.getName() : "job \"" + j.getName() + "\"");
      if (!j.getName().matches("[A-Za-z][A-Za-z0-9_]*")) {
        throw new ConfigException(where + " is not a TensorFlow job name (letters, digits, _)");
      }
      if (sizes.containsKey(j.getName())) {
        throw new ConfigException(where + " appears twice");
      }
      if (j.getTasksCount() == 0) {
        throw new ConfigException(where + " has no tasks, expected at least one \"host:port\"");
      }
      for (int i = 0; i < j.getTasksCount(); i++) {
        // TensorFlow accepts gaps in task indices; a gap here is a typo that would make the
        // others wait for a task that never starts, so insist on 0..n-1.
        if (!j.getTasksMap().containsKey(i)) {
          throw new ConfigException(where + " has " + j.getTasksCount() + " tasks but none with index " + i
              + ", expected indices 0.." + (j.getTasksCount() - 1));
        }
        String address = j.getTasksMap().get(i);
        String taskWhere = json ? where + "[" + i + "]" : where + " task " + i;
        checkAddress(address, taskWhere);
        String owner = owners.put(address, j.getName() + " " + i);
        if (owner != null) {
          throw new ConfigException(taskWhere + ": address " + address + " is also " + owner);
        }
      }
      sizes.put(j.getName(), j.getTasksCount());
    }
    if (!sizes.containsKey(job)) {
      throw new ConfigException(source + ": " + jobField + " is \"" + job + "\", which is not a job of the cluster "
          + sizes.keySet());
    }
    if (!sizes.containsKey(WORKER)) {
      throw new ConfigException(source + ": the cluster has no job \"" + WORKER + "\" (jobs: " + sizes.keySet()
          + "); training processes are workers, worker 0 the chief");
    }
    int size = sizes.get(job);
    if (task < 0 || task >= size) {
      throw new ConfigException(source + ": " + taskField + " is " + task + ", expected 0.." + (size - 1)
          + " (job " + job + " has " + size + " tasks)");
    }
    return new ClusterSpec(cluster, job, task);
  }

  private static void checkAddress(String address, String where) {
    int colon = address.lastIndexOf(':');
    String host = colon < 0 ? "" : address.substring(0, colon);
    String port = colon < 0 ? "" : address.substring(colon + 1);
    boolean ok = !host.isEmpty() && port.matches("[0-9]{1,5}") && Integer.parseInt(port) >= 1
        && Integer.parseInt(port) <= 65535;
    if (!ok) {
      throw new ConfigException(where + ": address \"" + address + "\" is not host:port (port 1..65535)");
    }
  }

  /** The whole cluster, as the servers and sessions take it. */
  public ClusterDef clusterDef() {
    return cluster;
  }

  /** This process's job, normally {@link #WORKER}. */
  public String job() {
    return job;
  }

  /** This process's index in its job. */
  public int task() {
    return task;
  }

  /** How many workers train together. */
  public int workerCount() {
    return tasks(WORKER).size();
  }

  /** Worker 0 writes checkpoints and events for everyone. */
  public boolean isChief() {
    return job.equals(WORKER) && task == 0;
  }

  /** {@code host:port} of a task. */
  public String address(String job, int task) {
    String address = tasks(job).get(task);
    if (address == null) {
      throw new IllegalArgumentException("no task " + job + " " + task + " in " + cluster);
    }
    return address;
  }

  /** {@code host:port} of this process's server. */
  public String ownAddress() {
    return address(job, task);
  }

  /** The CPU of worker {@code task}, as a device name for placing ops. */
  public static String workerCpu(int task) {
    return "/job:" + WORKER + "/replica:0/task:" + task + "/device:CPU:0";
  }

  /** Every task as "job index" to address, in job then index order, for probing and messages. */
  public Map<String, String> allTasks() {
    Map<String, String> all = new java.util.LinkedHashMap<>();
    List<JobDef> jobs = new ArrayList<>(cluster.getJobList());
    jobs.sort((a, b) -> a.getName().compareTo(b.getName()));
    for (JobDef j : jobs) {
      for (int i = 0; i < j.getTasksCount(); i++) {
        all.put(j.getName() + " " + i, j.getTasksMap().get(i));
      }
    }
    return all;
  }

  /**
   * The definition of this process's server. {@code sessionConfig} becomes the server's default
   * session config, which fixes the thread pools of the devices the server hosts (a remote
   * session's own ConfigProto does not).
   */
  public ServerDef serverDef(ConfigProto sessionConfig) {
    return ServerDef.newBuilder()
        .setCluster(cluster)
        .setJobName(job)
        .setTaskIndex(task)
        .setProtocol("grpc")
        .setDefaultSessionConfig(sessionConfig)
        .build();
  }

  private Map<Integer, String> tasks(String job) {
    for (JobDef j : cluster.getJobList()) {
      if (j.getName().equals(job)) {
        return j.getTasksMap();
      }
    }
    return Map.of();
  }

  @Override
  public String toString() {
    return job + " " + task + " of " + allTasks();
  }

  // --- TF_CONFIG JSON helpers: each error names the field and what was expected. ---

  private static JsonElement parseJson(String json) {
    try {
      return JsonParser.parseString(json);
    } catch (JsonParseException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ConfigException(TF_CONFIG + " is not JSON: " + cause.getMessage(), e);
    }
  }

  private static JsonElement required(JsonObject o, String key, String prefix) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      throw tfConfig(prefix + key, "is missing");
    }
    return e;
  }

  private static JsonObject object(JsonElement e, String field) {
    if (!e.isJsonObject()) {
      throw field.isEmpty()
          ? new ConfigException(TF_CONFIG + " is " + e + ", expected a JSON object {\"cluster\": ..., \"task\": ...}")
          : tfConfig(field, "is " + e + ", expected a JSON object");
    }
    return e.getAsJsonObject();
  }

  private static String string(JsonElement e, String field) {
    if (!(e instanceof JsonPrimitive p) || !p.isString()) {
      throw tfConfig(field, "is " + e + ", expected a string");
    }
    return p.getAsString();
  }

  private static int integer(JsonElement e, String field) {
    if (e instanceof JsonPrimitive p && p.isNumber()) {
      double d = p.getAsDouble();
      if (d == Math.rint(d) && Math.abs(d) < Integer.MAX_VALUE) {
        return (int) d;
      }
    }
    throw tfConfig(field, "is " + e + ", expected an integer");
  }

  private static ConfigException tfConfig(String field, String problem) {
    return new ConfigException(TF_CONFIG + ": " + field + " " + problem);
  }
}
