using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Fraud.Cli.CommandLine;

/// <summary>
/// <c>fraud --version</c>: the version of this program. The library's own action prints the entry
/// assembly's, which is the test host's when the CLI runs in-process.
/// </summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public static string Version { get; } =
        typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionAction).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    // Like the library's version action: other parse errors do not stop it, its own do (Cli checks).
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(Version);
        return 0;
    }
}
