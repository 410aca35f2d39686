package org.nst4j.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.ImageDataset;
import org.nst4j.store.ModelCard;

class ModelExportTest {
  @TempDir static Path dir;
  private static Path run;
  private static Path exported;
  private static ModelCard card;
  private static ImageDataset images;
  private static int[] expected;

  @BeforeAll
  static void trainAndExport() throws Exception {
    run = DeployFixtures.trainStudent(dir.resolve("run"));
    exported = dir.resolve("exported");
    card = ModelExport.export(run, exported);
    images = DeployFixtures.spread(DeployFixtures.sample().test(), 20);
    expected = DeployFixtures.argmaxByForward(run, images);
  }

  @Test
  void writesParametersCardAndServingProperties() throws Exception {
    assertEquals(List.of("model-0000.params", "model.json", "serving.properties"),
        Files.list(exported).map(p -> p.getFileName().toString()).sorted().toList());
    assertEquals("cnn-small", card.architecture());
    assertEquals(List.of(0.2860, 0.3530),
        List.of(card.normalizationMean()[0], card.normalizationStd()[0]));
    String props = Files.readString(exported.resolve("serving.properties"));
    assertTrue(props.contains("blockFactory=org.nst4j.deploy.ModelBlockFactory"), props);
    assertTrue(props.contains("option.modelName=model"), props);
    assertTrue(Arrays.stream(expected).distinct().count() >= 2, "a trained student tells classes apart");
  }

  /** The README's way: plain DJL Criteria, everything else from serving.properties and model.json. */
  @Test
  void plainDjlCriteriaPredictsWhatEvalComputes() throws Exception {
    Criteria<BufferedImage, Classifications> criteria = Criteria.builder()
        .setTypes(BufferedImage.class, Classifications.class)
        .optModelPath(exported)
        .optTranslatorFactory(new ImageClassifierTranslatorFactory())
        .build();
    try (ZooModel<BufferedImage, Classifications> model = criteria.loadModel();
        Predictor<BufferedImage, Classifications> predictor = model.newPredictor()) {
      for (int i = 0; i < images.size(); i++) {
        Classifications c = predictor.predict(DeployFixtures.gray(images, i));
        assertEquals(card.classNames().get(expected[i]), c.best().getClassName(), "image " + i);
        double total = c.items().stream().mapToDouble(Classifications.Classification::getProbability).sum();
        assertEquals(1.0, total, 1e-5);
      }
    }
    Criteria<Image, Classifications> djlImages = Criteria.builder()
        .setTypes(Image.class, Classifications.class)
        .optModelPath(exported)
        .optTranslatorFactory(new ImageClassifierTranslatorFactory())
        .build();
    try (ZooModel<Image, Classifications> model = djlImages.loadModel();
        Predictor<Image, Classifications> predictor = model.newPredictor()) {
      Image img = ImageFactory.getInstance().fromImage(DeployFixtures.gray(images, 3));
      assertEquals(card.classNames().get(expected[3]), predictor.predict(img).best().getClassName());
    }
  }

  @Test
  void refusesATargetInUseAndASourceThatIsNoModel() throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelExport.export(run, exported));
    assertTrue(e.getMessage().endsWith("is not empty; export into a new folder"), e.getMessage());
    Path file = Files.writeString(dir.resolve("file"), "x");
    e = assertThrows(IllegalArgumentException.class, () -> ModelExport.export(run, file));
    assertTrue(e.getMessage().endsWith("exists and is not a folder"), e.getMessage());
    Path nothing = Files.createDirectories(dir.resolve("nothing"));
    Path target = dir.resolve("never");
    e = assertThrows(IllegalArgumentException.class, () -> ModelExport.export(nothing, target));
    assertTrue(e.getMessage().contains("no model.json"), e.getMessage());
    assertFalse(Files.exists(target));
  }
}
