using Fraud.Cli.CommandLine;
using Fraud.Core.Features;

namespace Fraud.Cli.Commands;

/// <summary>Options shared by the commands that replay a file through the feature engine.</summary>
internal static class EngineDefaults
{
    public static readonly OptionSpec LabelDelay = new("label-delay", "DURATION", "how long after a transaction its label becomes known (default 7d)");

    public static TimeSpan Delay(ParsedArguments args) => args.Duration(LabelDelay.Name, TimeSpan.FromDays(7));

    public static readonly OptionSpec MaxAccounts = new("max-accounts", "N", "accounts tracked at most; beyond, the least recently active are evicted (default 2,000,000)");

    public static readonly OptionSpec MaxMerchants = new("max-merchants", "N", "merchants tracked at most (default 500,000)");

    public static ProfileOptions Profiles(TimeSpan labelDelay, ParsedArguments? args = null)
    {
        var defaults = new ProfileOptions();
        var options = new ProfileOptions
        {
            LabelDelay = labelDelay,
            MaxAccounts = args?.Int(MaxAccounts.Name, defaults.MaxAccounts, 1) ?? defaults.MaxAccounts,
            MaxMerchants = args?.Int(MaxMerchants.Name, defaults.MaxMerchants, 1) ?? defaults.MaxMerchants,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException($"--label-delay: {e.Message}");
        }

        return options;
    }

    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
