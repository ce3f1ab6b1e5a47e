namespace Fraud.Api.Extensions;

/// <summary>Authorization policies by role; admin may do everything.</summary>
public static class ApiPolicies
{
    public const string Ingest = "ingest";
    public const string Analyst = "analyst";
}
