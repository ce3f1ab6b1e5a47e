using System.Text;

namespace Fraud.Core.Features;

/// <summary>Size, names and the "missing" value of the feature vector.</summary>
public static class FeatureVector
{
    public const int Length = (int)Feature.AmountToCategoryMean + 1;

    /// <summary>Below every real value (all real features are ≥ −50), so trees separate it cleanly.</summary>
    public const float Missing = -999f;

    private static readonly string[] NamesCache = BuildNames();

    /// <summary>snake_case names, as written in model files and score exports.</summary>
    public static IReadOnlyList<string> Names => NamesCache;

    public static string NameOf(Feature feature) => NamesCache[(int)feature];

    public static float Get(this ReadOnlySpan<float> vector, Feature feature) => vector[(int)feature];

    public static bool IsMissing(float value) => value <= Missing;

    private static string[] BuildNames()
    {
        var names = new string[Length];
        for (var i = 0; i < Length; i++)
        {
            names[i] = ToSnakeCase(((Feature)i).ToString());
        }

        return names;
    }

    private static string ToSnakeCase(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            var boundary = i > 0 && (char.IsUpper(c) || (char.IsDigit(c) && !char.IsDigit(pascal[i - 1])));
            if (boundary)
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }
}
