using Fraud.Core.Features;

namespace Fraud.Core.Tests.Scoring;

/// <summary>Feature vectors for scoring tests: every feature missing except the ones given.</summary>
internal static class FeatureRows
{
    public static float[] Of(params (Feature Feature, float Value)[] values)
    {
        var f = new float[FeatureVector.Length];
        Array.Fill(f, FeatureVector.Missing);
        foreach (var (feature, value) in values)
        {
            f[(int)feature] = value;
        }

        return f;
    }
}
