namespace Fraud.Core.Import;

/// <summary>How to read a transaction file.</summary>
public sealed record ImportOptions
{
    public FieldMap Map { get; init; } = FieldMap.Default;

    /// <summary>Skip and count rows that fail validation instead of stopping at the first.</summary>
    public bool SkipBadRows { get; init; }

    /// <summary>The file must have an <c>is_fraud</c> column (training with labels, backtests).</summary>
    public bool RequireLabels { get; init; }

    /// <summary>CSV delimiter; null detects <c>, ; \t |</c> from the header line.</summary>
    public char? Delimiter { get; init; }
}
