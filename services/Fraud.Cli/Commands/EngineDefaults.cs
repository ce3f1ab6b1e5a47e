using System.CommandLine;
using Fraud.Cli.CommandLine;
using Fraud.Core.Features;

namespace Fraud.Cli.Commands;

/// <summary>Options shared by the commands that replay a file through the feature engine.</summary>
internal static class EngineDefaults
{
    public static readonly TimeSpan DefaultLabelDelay = TimeSpan.FromDays(7);

    // The merchant risk windows keep RingDays of labels and need a month of them to be known
    // (ProfileOptions.Validate); checking it while parsing names the option and the value.
    private static readonly TimeSpan LongestLabelDelay = TimeSpan.FromDays(MerchantProfile.RingDays - 31);

    public static Option<TimeSpan?> LabelDelay() =>
        CliOptions.Duration("--label-delay", "how long after a transaction its label becomes known (default 7d)", LongestLabelDelay);

    public static Option<int> MaxAccounts() => CliOptions.Int(
        "--max-accounts", "accounts tracked at most; beyond, the least recently active are evicted", new ProfileOptions().MaxAccounts, min: 1);

    public static Option<int> MaxMerchants() => CliOptions.Int(
        "--max-merchants", "merchants tracked at most", new ProfileOptions().MaxMerchants, min: 1);

    /// <summary>Profile caps from the command line; the options' own checks keep them valid.</summary>
    public static ProfileOptions Profiles(TimeSpan labelDelay, int? maxAccounts = null, int? maxMerchants = null)
    {
        var defaults = new ProfileOptions();
        var options = new ProfileOptions
        {
            LabelDelay = labelDelay,
            MaxAccounts = maxAccounts ?? defaults.MaxAccounts,
            MaxMerchants = maxMerchants ?? defaults.MaxMerchants,
        };
        options.Validate();
        return options;
    }

    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
