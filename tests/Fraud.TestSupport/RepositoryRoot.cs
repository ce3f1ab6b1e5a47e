namespace Fraud.TestSupport;

/// <summary>The repository the tests run in: the folder above the test binary that holds <c>Fraud.Dapr.sln</c>.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Fraud.Dapr.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Fraud.Dapr.sln not found above {AppContext.BaseDirectory}");
    }
}
