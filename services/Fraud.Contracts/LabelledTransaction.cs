namespace Fraud.Contracts;

/// <summary>
/// A transaction read from a file, with its label when the file has one. <see cref="Line"/> is the
/// 1-based line in the source file, for error messages.
/// </summary>
public readonly record struct LabelledTransaction(Transaction Transaction, bool? IsFraud, string? Scenario, long Line);
