namespace Fraud.Core.Evaluation;

/// <summary>One transaction of a handbook-format file: its id, when, which card and terminal, and its label.</summary>
internal readonly record struct HandbookRow(long Id, DateTimeOffset Time, int Account, int Terminal, bool Fraud, int Scenario);
