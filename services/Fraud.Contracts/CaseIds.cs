namespace Fraud.Contracts;

/// <summary>Case ids: the account id, <c>~</c>, and the account's case number.</summary>
public static class CaseIds
{
    public static string Of(string accountId, int number) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{accountId}~{number}");

    /// <summary>The case number in the id (after its last <c>~</c>); 0 when the id is not a case id.</summary>
    public static int NumberOf(string caseId)
    {
        var tilde = caseId.LastIndexOf('~');
        return tilde > 0 && int.TryParse(caseId.AsSpan(tilde + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0;
    }

    /// <summary>Null when the text is a well-formed case id, else what is wrong with it.</summary>
    public static string? Check(string caseId)
    {
        var tilde = caseId.LastIndexOf('~');
        if (NumberOf(caseId) == 0)
        {
            return "is not a case id: an account id, '~' and the case number, e.g. acct-42~1";
        }

        return TransactionRules.CheckId(caseId.AsSpan(0, tilde)) is { } error ? $"names an account id that {error}" : null;
    }
}
