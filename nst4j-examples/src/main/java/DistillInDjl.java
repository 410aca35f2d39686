import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingResult;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Path;
import org.nst4j.data.BatchLoader;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageBatch;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.Layers;
import org.nst4j.model.TappedBlock;
import org.nst4j.train.Teachers;
import org.nst4j.transfer.DistillationBlock;

public class DistillInDjl {
  public static void main(String[] args) throws Exception {
    SequentialBlock cnn = new SequentialBlock()
        .add(Layers.conv(16, 3, 1)).add(Layers.batchNorm()).add(Activation.reluBlock())
        .add(Pool.maxPool2dBlock(new Shape(2, 2)))                          // child 04LambdaBlock: 16×14×14
        .add(Layers.conv(32, 3, 1)).add(Layers.batchNorm()).add(Activation.reluBlock())
        .add(Pool.maxPool2dBlock(new Shape(2, 2)))                          // child 08LambdaBlock: 32×7×7
        .add(Blocks.batchFlattenBlock()).add(Layers.linear(10));
    TappedBlock student = TappedBlock.wrap("my-cnn", cnn, 1, 10, "conv1=04LambdaBlock", "conv2=08LambdaBlock");
    DataSplits sample = DataSources.sample();
    try (NDManager manager = NDManager.newBaseManager();
        Model teacher = Teachers.fromFolder(Path.of(args.length > 0 ? args[0] : "models/fmnist-resnet20"),
            Device.cpu());
        Model model = Model.newInstance("student")) {
      DistillationBlock block = DistillationBlock.builder()
          .setStudent(student).setTeacher(teacher).setMethod("kd+nst-poly").build();
      model.setBlock(block);
      DefaultTrainingConfig config = new DefaultTrainingConfig(block.loss())
          .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f).build())
          .addEvaluator(new Accuracy())
          .addTrainingListeners(TrainingListener.Defaults.basic())
          .addTrainingListeners(block.epochListener());
      ArrayDataset train = dataset(manager, sample.train(), sample, true);
      ArrayDataset test = dataset(manager, sample.test(), sample, false);
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(new Shape(1, 1, 28, 28));
        for (int epoch = 1; epoch <= 3; epoch++) {
          EasyTrain.fit(trainer, 1, train, test);
          TrainingResult r = trainer.getTrainingResult();
          System.out.printf("epoch %d: train loss %.4f, test accuracy %.4f%n",
              epoch, r.getTrainLoss(), r.getValidateEvaluation("Accuracy"));
        }
      }
    }
  }

  /** Normalised images and float32 labels, as a DJL ArrayDataset. */
  static ArrayDataset dataset(NDManager manager, ImageDataset images, DataSplits sample, boolean shuffle) {
    ImageBatch all = BatchLoader.forEvaluation(images, images.size(), sample.normalization()).batch(0, 0);
    float[] labels = new float[all.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = all.labels()[i];
    }
    return new ArrayDataset.Builder()
        .setData(manager.create(all.images(), new Shape(all.size(), 1, 28, 28)))
        .optLabels(manager.create(labels))
        .setSampling(64, shuffle)
        .build();
  }
}
