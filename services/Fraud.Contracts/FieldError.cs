namespace Fraud.Contracts;

/// <summary>One thing wrong with an input: where (a JSON path such as <c>[3].amount</c>) and why.</summary>
public readonly record struct FieldError(string Path, string Message);
