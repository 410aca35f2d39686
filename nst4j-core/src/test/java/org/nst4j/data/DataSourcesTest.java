package org.nst4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourcesTest {
  @TempDir Path tmp;

  /** An empty stand-in for /usr/share/datasets so tests do not depend on what is installed. */
  private Path noSystem() throws Exception {
    return Files.createDirectories(tmp.resolve("no-system"));
  }

  private static int[] filled(int value) {
    int[] a = new int[10];
    Arrays.fill(a, value);
    return a;
  }

  @Test
  void sampleIsEmbeddedAndComplete() {
    DataSplits s = DataSources.resolve("sample", null);
    assertEquals("fashion-mnist-sample", s.name());
    assertEquals(3000, s.train().size());
    assertEquals(1000, s.test().size());
    assertArrayEquals(filled(300), s.train().classCounts());
    assertArrayEquals(filled(100), s.test().classCounts());
    assertEquals(Normalization.FASHION_MNIST, s.normalization());
    assertEquals(DataSources.FASHION_MNIST_CLASSES, s.train().classNames());
    assertEquals("T-shirt/top", s.train().classNames().get(0));
    assertEquals("Ankle boot", s.train().classNames().get(9));
    assertEquals("fashion-mnist-sample train", s.train().name());
    assertEquals("fashion-mnist-sample test", s.test().name());
    // Aliases and case; loaded once.
    assertSame(s, DataSources.resolve("fashion-mnist-sample", null));
    assertSame(s, DataSources.resolve(" Sample ", tmp));
  }

  @Test
  void aliasesHaveOneCanonicalName() {
    assertEquals(DataSources.FASHION_MNIST, DataSources.canonicalName(" FMNIST "));
    assertEquals(DataSources.FASHION_MNIST, DataSources.canonicalName("fashion_mnist"));
    assertEquals(DataSources.CIFAR10, DataSources.canonicalName("CIFAR-10"));
    assertEquals(DataSources.SAMPLE, DataSources.canonicalName(DataSources.SAMPLE_NAME));
    assertEquals(null, DataSources.canonicalName("imagenet"));
    for (String name : DataSources.knownNames()) {
      assertEquals(name, DataSources.canonicalName(name));
      assertTrue(DataSources.isNameOrPath(name));
    }
    assertTrue(DataSources.isNameOrPath("some/folder"));
    assertTrue(DataSources.isNameOrPath(tmp.toString()));
    assertFalse(DataSources.isNameOrPath("imagenet"));
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DataSources.resolve("imagenet", null));
    for (String n : DataSources.knownNames()) {
      assertTrue(e.getMessage().contains(n), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> DataSources.resolve("", null));
  }

  @Test
  void fashionMnistIsFoundInDataDirThenEnvThenSystem() throws Exception {
    Path data = tmp.resolve("data");
    Path env = tmp.resolve("env");
    Path system = tmp.resolve("system");
    TestFiles.copySample(system.resolve("fashion-mnist"));
    DataSplits s = DataSources.resolve("fashion-mnist", data, env, system);
    assertEquals("fashion-mnist", s.name());
    assertEquals(3000, s.train().size());
    assertEquals(Normalization.FASHION_MNIST, s.normalization());
    assertEquals(DataSources.FASHION_MNIST_CLASSES, s.test().classNames());

    // $NST4J_DATA directly (plain files) beats the system folder.
    TestFiles.copySamplePlain(env);
    Files.write(env.resolve("t10k-images-idx3-ubyte"), new byte[] {1, 2, 3});
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> DataSources.resolve("fmnist", data, env, system));
    assertTrue(e.getMessage().startsWith(env.resolve("t10k-images-idx3-ubyte").toString()), e.getMessage());

    // Its subfolder beats it.
    TestFiles.copySample(env.resolve("fashion-mnist"));
    assertEquals(1000, DataSources.resolve("fashion-mnist", data, env, system).test().size());

    // The data directory beats both.
    Path broken = Files.createDirectories(data.resolve("fashion-mnist"));
    TestFiles.copySample(broken);
    Files.write(broken.resolve("train-labels-idx1-ubyte.gz"), new byte[0]);
    e = assertThrows(DataFormatException.class, () -> DataSources.resolve("FASHION-MNIST", data, env, system));
    assertEquals(broken.resolve("train-labels-idx1-ubyte.gz") + ": empty file", e.getMessage());
  }

  @Test
  void missingFashionMnistSaysWhereAndHow() throws Exception {
    Path data = tmp.resolve("data");
    Files.createDirectories(data);
    Files.write(data.resolve("train-images-idx3-ubyte.gz"), TestFiles.sampleBytes("train-images-idx3-ubyte"));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> DataSources.resolve("fashion-mnist", data, null, noSystem()));
    String m = e.getMessage();
    assertTrue(m.startsWith("fashion-mnist not found"), m);
    assertTrue(m.contains(data.resolve("fashion-mnist").toString()), m);
    assertTrue(m.contains(data + " (incomplete: 1 of 4 files)"), m);
    assertTrue(m.contains(noSystem().resolve("fashion-mnist").toString()), m);
    assertTrue(m.contains("apt-get install dataset-fashion-mnist"), m);
    assertFalse(m.contains("\n"));
  }

  @Test
  void mnistGetsMnistClassesAndNormalisation() throws Exception {
    TestFiles.copySample(tmp.resolve("env").resolve("mnist"));
    DataSplits s = DataSources.resolve("mnist", null, tmp.resolve("env"), noSystem());
    assertEquals("mnist", s.name());
    assertEquals(Normalization.MNIST, s.normalization());
    assertEquals("7", s.train().classNames().get(7));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> DataSources.resolve("mnist", null, null, noSystem()));
    assertTrue(e.getMessage().contains("download the four MNIST files"), e.getMessage());
  }

  @Test
  void cifarIsFoundByName() throws Exception {
    Path data = tmp.resolve("data");
    TestFiles.cifar10Dir(data.resolve("cifar-10-batches-bin"), 4, 3);
    DataSplits ten = DataSources.resolve("cifar10", data, null, noSystem());
    assertEquals("cifar10", ten.name());
    assertEquals(20, ten.train().size());
    assertEquals(3, ten.test().size());
    assertEquals(Normalization.CIFAR10, ten.normalization());

    Path env = tmp.resolve("env");
    TestFiles.cifar100Dir(env, 7, 2); // directly in $NST4J_DATA
    DataSplits hundred = DataSources.resolve("CIFAR-100", data, env, noSystem());
    assertEquals(7, hundred.train().size());
    assertEquals(100, hundred.numClasses());
    assertEquals(Normalization.CIFAR100, hundred.normalization());

    DataFormatException e =
        assertThrows(DataFormatException.class, () -> DataSources.resolve("cifar100", null, null, noSystem()));
    assertTrue(e.getMessage().contains("cifar-100-binary.tar.gz"), e.getMessage());
    assertTrue(e.getMessage().contains("$NST4J_DATA is not set"), e.getMessage());
    e = assertThrows(DataFormatException.class, () -> DataSources.resolve("cifar10", env, null, noSystem()));
    assertTrue(e.getMessage().contains(env.resolve("cifar-10-batches-bin").toString()), e.getMessage());
  }

  @Test
  void idxPathsAreInspected() throws Exception {
    Path fashion = TestFiles.copySample(tmp.resolve("my-fashion-copy"));
    DataSplits s = DataSources.resolve(fashion.toString(), null, null, noSystem());
    assertEquals("my-fashion-copy", s.name());
    assertEquals(Normalization.FASHION_MNIST, s.normalization());
    assertEquals(DataSources.FASHION_MNIST_CLASSES, s.train().classNames());

    // A path to one of the files inspects its folder.
    DataSplits viaFile =
        DataSources.resolve(fashion.resolve("train-images-idx3-ubyte.gz").toString(), null, null, noSystem());
    assertEquals(3000, viaFile.train().size());

    // An unknown IDX folder: numbered classes and a normalisation computed from its training images.
    Path other = TestFiles.copySamplePlain(tmp.resolve("digits"));
    DataSplits o = DataSources.resolve(other.toString(), null, null, noSystem());
    assertEquals("digits", o.name());
    assertEquals("0", o.train().classNames().get(0));
    assertEquals(Normalization.compute(o.train()), o.normalization());
    assertEquals(0.286, o.normalization().mean()[0], 0.01);

    // Incomplete
    Files.delete(other.resolve("t10k-labels-idx1-ubyte"));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> DataSources.resolve(other.toString(), null, null, noSystem()));
    assertEquals(other + ": incomplete IDX data set, missing t10k-labels-idx1-ubyte[.gz]", e.getMessage());
  }

  @Test
  void cifarAndImageFolderPathsAreInspected() throws Exception {
    Path c10 = TestFiles.cifar10Dir(tmp.resolve("c10"), 2, 2);
    assertEquals("cifar10", DataSources.resolve(c10.toString(), null, null, noSystem()).name());
    Path c100 = TestFiles.cifar100Dir(tmp.resolve("c100"), 2, 2);
    assertEquals(100, DataSources.resolve(c100.toString(), null, null, noSystem()).numClasses());

    Path folder = tmp.resolve("shapes");
    for (String split : new String[] {"train", "test"}) {
      for (String cls : new String[] {"circle", "square"}) {
        TestFiles.grayPng(folder.resolve(split).resolve(cls).resolve("a.png"), 6, 5, cls.length() * 10);
      }
    }
    DataSplits s = DataSources.resolve(folder.toString(), null, null, noSystem());
    assertEquals("shapes", s.name());
    assertEquals(2, s.train().size());
    assertEquals(1, s.train().channels());
    assertEquals(5, s.train().height());
    assertEquals(6, s.train().width());
  }

  @Test
  void badPathsAreReported() throws Exception {
    Path missing = tmp.resolve("nothing-here");
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> DataSources.resolve(missing.toString(), null, null, noSystem()));
    assertEquals(missing + ": no such file or folder", e.getMessage());
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    e = assertThrows(DataFormatException.class, () -> DataSources.resolve(empty.toString(), null, null, noSystem()));
    assertTrue(e.getMessage().startsWith(empty + ": not a recognised data-set folder"), e.getMessage());
  }

  @Test
  void fullFashionMnistResolvesByName() {
    assumeTrue(TestFiles.fullFmnistInstalled(), "full Fashion-MNIST not installed");
    DataSplits s = DataSources.resolve("fashion-mnist", null, null, Path.of("/usr/share/datasets"));
    assertEquals(60000, s.train().size());
    assertEquals(10000, s.test().size());
    assertArrayEquals(filled(6000), s.train().classCounts());
    assertArrayEquals(filled(1000), s.test().classCounts());
    assertEquals(Normalization.FASHION_MNIST, s.normalization());
    // The protocol's constants are the training set's statistics to four decimals.
    Normalization computed = Normalization.compute(s.train());
    assertEquals(0.2860, computed.mean()[0], 5e-5);
    assertEquals(0.3530, computed.std()[0], 5e-5);
  }

  @Test
  void numberedLabelsThatSkipClassesAreRefusedUnlessAllowed() throws Exception {
    // A 3-class IDX folder of an unknown data set (numbered classes) whose label byte 7 became 42.
    Path dir = Files.createDirectories(tmp.resolve("digits"));
    int[] labels = {0, 1, 2, 0, 1, 2, 0, 42, 1, 2};
    TestFiles.write(dir.resolve(DataSources.IDX_FILES.get(0)), TestFiles.idxImages(10, 2, 2, new byte[40]));
    TestFiles.write(dir.resolve(DataSources.IDX_FILES.get(1)), TestFiles.idxLabels(labels));
    TestFiles.write(dir.resolve(DataSources.IDX_FILES.get(2)), TestFiles.idxImages(3, 2, 2, new byte[12]));
    TestFiles.write(dir.resolve(DataSources.IDX_FILES.get(3)), TestFiles.idxLabels(0, 1, 2));
    DataFormatException e = assertThrows(DataFormatException.class, () -> DataSources.resolve(dir.toString(), null));
    assertEquals(dir.resolve(DataSources.IDX_FILES.get(1)) + ": 39 of 43 classes have no training image: 3, 4, 5,"
        + " 6, 7, 8, 9, 10, ... (39 in all) (the largest label, 42, sets the number of classes; a damaged label"
        + " file? --allow-empty-classes reads it anyway)", e.getMessage());
    DataSplits allowed = DataSources.resolve(dir.toString(), null,
        new ReadOptions(ReadOptions.DEFAULT_MAX_IMAGE_PIXELS, ReadOptions.defaultTotal(), true));
    assertEquals(43, allowed.numClasses());
    // Without the damage, the same folder reads.
    labels[7] = 1;
    TestFiles.write(dir.resolve(DataSources.IDX_FILES.get(1)), TestFiles.idxLabels(labels));
    assertEquals(3, DataSources.resolve(dir.toString(), null).numClasses());
  }
}
