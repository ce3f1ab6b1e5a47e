using Fraud.Core.Features;
using Fraud.Core.Model;

namespace Fraud.Core.Tests.Model;

/// <summary>A labelled set where fraud depends on two features, with noise, for model tests.</summary>
internal static class SyntheticTrainingSet
{
    public static TrainingSet Create(int rows, int seed, bool labelled = true)
    {
        var random = new Random(seed);
        var set = new TrainingSet();
        var f = new float[FeatureVector.Length];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < f.Length; j++)
            {
                f[j] = (float)random.NextDouble();
            }

            f[(int)Feature.Amount] = (float)(random.NextDouble() * 200);
            var fraud = f[(int)Feature.AmountToMean30d] > 0.8f && f[(int)Feature.AccountCount1h] < 0.4f
                        ? random.NextDouble() < 0.9
                        : random.NextDouble() < 0.01;
            set.Add(f, labelled && fraud, i * 60);
        }

        return set;
    }
}
