using System.IO.Compression;
using Fraud.Core.Model;

namespace Fraud.Core.Tests.Model;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fraud-model-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void SupervisedModelRoundTripsWithItsManifest()
    {
        var set = SyntheticTrainingSet.Create(3000, seed: 11);
        var context = new TrainingContext(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(7), TimeSpan.FromDays(7), 0.5);
        var model = new ModelTrainer(new TrainerOptions { Iterations = 30 }, TimeProvider.System).Train(set, context);
        var path = Path.Combine(_directory, "m.zip");

        ModelFile.Save(model, path);
        var loaded = ModelFile.Load(path);

        Assert.Equal(model.Version, loaded.Version);
        Assert.Equal(model.Manifest.TrainedTo, loaded.Manifest.TrainedTo);
        Assert.Equal(model.Manifest.LabelDelay, loaded.Manifest.LabelDelay);
        Assert.Equal(model.Manifest.Metrics["training_auc_roc"], loaded.Manifest.Metrics["training_auc_roc"]);
        Assert.NotNull(loaded.Source);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(model.LogOdds(set.Row(i)), loaded.LogOdds(set.Row(i)));
        }
    }

    [Fact]
    public void UnsupervisedModelRoundTrips()
    {
        var set = SyntheticTrainingSet.Create(2000, seed: 12, labelled: false);
        var model = new ModelTrainer(new TrainerOptions(), TimeProvider.System).Train(set, new TrainingContext(null, null, TimeSpan.Zero, 0.5));
        var path = Path.Combine(_directory, "pca.zip");

        ModelFile.Save(model, path);
        var loaded = Assert.IsType<UnsupervisedModel>(ModelFile.Load(path));

        Assert.Equal(model.LogOdds(set.Row(3)), loaded.LogOdds(set.Row(3)));
    }

    [Fact]
    public void AFileThatIsNotAModelIsAClearError()
    {
        var path = Path.Combine(_directory, "not-a-model.zip");
        File.WriteAllText(path, "hello");
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        Assert.Contains("not-a-model.zip", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelNeedingAnUnknownFeatureIsRefused()
    {
        var set = SyntheticTrainingSet.Create(2000, seed: 13);
        var model = new ModelTrainer(new TrainerOptions { Iterations = 10 }, TimeProvider.System).Train(set, new TrainingContext(null, null, TimeSpan.Zero, 0.5));
        var path = Path.Combine(_directory, "renamed.zip");
        ModelFile.Save(model, path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("manifest.json")!;
            string text;
            using (var reader = new StreamReader(entry.Open()))
            {
                text = reader.ReadToEnd();
            }

            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open());
            writer.Write(text.Replace("\"amount\"", "\"amount_in_pennies\"", StringComparison.Ordinal));
        }

        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        Assert.Contains("amount_in_pennies", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFileSaysSo()
    {
        Assert.Throws<FileNotFoundException>(() => ModelFile.Load(Path.Combine(_directory, "absent.zip")));
    }
}
