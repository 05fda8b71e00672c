package org.diffusiondepot.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.diffusiondepot.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.ServerDef;

class ClusterSpecTest {
  private static final String TWO_WORKERS = """
      {"cluster": {"worker": ["node1:2222", "node2:2222"]}, "task": {"type": "worker", "index": 1}}""";

  @Test
  void readsTfConfig() {
    ClusterSpec spec = ClusterSpec.fromTfConfig(TWO_WORKERS);
    assertEquals("worker", spec.job());
    assertEquals(1, spec.task());
    assertEquals(2, spec.workerCount());
    assertFalse(spec.isChief());
    assertEquals("node1:2222", spec.address("worker", 0));
    assertEquals("node2:2222", spec.ownAddress());
    assertEquals(Map.of("worker 0", "node1:2222", "worker 1", "node2:2222"), spec.allTasks());
  }

  @Test
  void tfConfigMayCarryTheLaunchersExtraFieldsAndOtherJobs() {
    ClusterSpec spec = ClusterSpec.fromTfConfig("""
        {"cluster": {"worker": ["a:1"], "evaluator": ["b:2"]}, "task": {"type": "worker", "index": 0},
         "environment": "cloud", "rpc_layer": "grpc"}""");
    assertTrue(spec.isChief());
    assertEquals(1, spec.workerCount());
  }

  @Test
  void environmentWithoutTfConfigIsOneProcess() {
    assertTrue(ClusterSpec.fromEnvironment(Map.of("HOME", "/root")).isEmpty());
    assertEquals(1, ClusterSpec.fromEnvironment(Map.of("TF_CONFIG", TWO_WORKERS)).orElseThrow().task());
  }

  @Test
  void readsAClusterDefFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cluster.pbtxt");
    Files.writeString(file, """
        # two machines
        job {
          name: "worker"
          tasks { key: 0 value: "node1:2222" }
          tasks { key: 1 value: "node2:2223" }
        }
        """);
    ClusterSpec spec = ClusterSpec.fromClusterFile(file, 0);
    assertTrue(spec.isChief());
    assertEquals("node2:2223", spec.address("worker", 1));
    ServerDef def = spec.serverDef(ClusterConfigs.worker(1, java.time.Duration.ofSeconds(5)));
    assertEquals("worker", def.getJobName());
    assertEquals(0, def.getTaskIndex());
    assertEquals("grpc", def.getProtocol());
    assertEquals(1, def.getDefaultSessionConfig().getIntraOpParallelismThreads());
    assertEquals(spec.clusterDef(), def.getCluster());
  }

  @Test
  void devicesAreNamedTheTensorFlowWay() {
    assertEquals("/job:worker/replica:0/task:1/device:CPU:0", ClusterSpec.workerCpu(1));
  }

  @Test
  void badTfConfigNamesTheFieldAndWhatWasExpected() {
    assertError("TF_CONFIG is not JSON", "{\"cluster\": ");
    assertError("TF_CONFIG is [1], expected a JSON object", "[1]");
    assertError("TF_CONFIG: cluster is missing", "{\"task\": {\"type\": \"worker\", \"index\": 0}}");
    assertError("TF_CONFIG: task is missing", "{\"cluster\": {\"worker\": [\"a:1\"]}}");
    assertError("TF_CONFIG: clutser is not a TF_CONFIG field",
        "{\"clutser\": {}, \"task\": {\"type\": \"worker\", \"index\": 0}}");
    assertError("TF_CONFIG: cluster.worker is \"a:1\", expected a list of \"host:port\"",
        "{\"cluster\": {\"worker\": \"a:1\"}, \"task\": {\"type\": \"worker\", \"index\": 0}}");
    assertError("TF_CONFIG: cluster.worker[1] is 2222, expected a string",
        "{\"cluster\": {\"worker\": [\"a:1\", 2222]}, \"task\": {\"type\": \"worker\", \"index\": 0}}");
    assertError("TF_CONFIG: cluster.worker[1]: address \"node2\" is not host:port",
        "{\"cluster\": {\"worker\": [\"a:1\", \"node2\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}");
    assertError("TF_CONFIG: cluster.worker[1]: address \"a:99999\" is not host:port",
        "{\"cluster\": {\"worker\": [\"a:1\", \"a:99999\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}");
    assertError("TF_CONFIG: cluster.worker[1]: address a:1 is also worker 0",
        "{\"cluster\": {\"worker\": [\"a:1\", \"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}");
    assertError("TF_CONFIG: task.index is 2, expected 0..1 (job worker has 2 tasks)",
        "{\"cluster\": {\"worker\": [\"a:1\", \"b:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 2}}");
    assertError("TF_CONFIG: task.index is \"0\", expected an integer",
        "{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": \"0\"}}");
    assertError("TF_CONFIG: task.type is \"chief\", which is not a job of the cluster [worker]",
        "{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"chief\", \"index\": 0}}");
    assertError("TF_CONFIG: the cluster has no job \"worker\"",
        "{\"cluster\": {\"ps\": [\"a:1\"]}, \"task\": {\"type\": \"ps\", \"index\": 0}}");
    assertError("TF_CONFIG: cluster.worker has no tasks",
        "{\"cluster\": {\"worker\": []}, \"task\": {\"type\": \"worker\", \"index\": 0}}");
    assertError("TF_CONFIG: rpc_layer is \"grpc+verbs\", expected \"grpc\"",
        "{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}, \"rpc_layer\": \"grpc+verbs\"}");
  }

  @Test
  void badClusterFileNamesTheFileAndTheProblem(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope.pbtxt");
    ConfigException e = assertThrows(ConfigException.class, () -> ClusterSpec.fromClusterFile(missing, 0));
    assertEquals(missing + ": no such cluster file", e.getMessage());

    assertFileError("c.pbtxt: not a ClusterDef in text format: 1:7: Input contains unknown fields and/or extensions: 1:7: tensorflow.JobDef.nmae", "job { nmae: \"worker\" }", 0);
    assertFileError("c.pbtxt: --task is 2, expected 0..1 (job worker has 2 tasks)",
        "job { name: \"worker\" tasks { key: 0 value: \"a:1\" } tasks { key: 1 value: \"b:1\" } }", 2);
    assertFileError("c.pbtxt: job \"worker\" has 2 tasks but none with index 1, expected indices 0..1",
        "job { name: \"worker\" tasks { key: 0 value: \"a:1\" } tasks { key: 2 value: \"b:1\" } }", 0);
    assertFileError("c.pbtxt: job \"worker\" task 0: address \"a\" is not host:port",
        "job { name: \"worker\" tasks { key: 0 value: \"a\" } }", 0);
    assertFileError("c.pbtxt: the cluster has no jobs", "", 0);
    assertFileError("c.pbtxt: job \"worker\" is \"worker\", which is not a job of the cluster [ps]",
        "job { name: \"ps\" tasks { key: 0 value: \"a:1\" } }", 0);
  }

  @Test
  void errorsAreOneLine() {
    ConfigException e = assertThrows(ConfigException.class, () -> ClusterSpec.fromTfConfig("{\"a\":\n\n"));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  private static void assertError(String expectedStart, String tfConfig) {
    ConfigException e = assertThrows(ConfigException.class, () -> ClusterSpec.fromTfConfig(tfConfig));
    assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  private static void assertFileError(String expectedStart, String text, int task) {
    ConfigException e = assertThrows(ConfigException.class, () -> ClusterSpec.fromClusterText(text, "c.pbtxt", task));
    assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }
}
