namespace Fraud.TestSupport;

/// <summary>
/// A fresh directory under the system temp folder, deleted (best effort) on dispose. Usable as an
/// xunit class fixture.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
        : this(Directory.CreateTempSubdirectory("fraud-test-").FullName)
    {
    }

    private TempDirectory(string path)
    {
        Path = path;
    }

    /// <summary>A fresh directory whose name starts with <paramref name="prefix"/>.</summary>
    public static TempDirectory Create(string prefix) => new(Directory.CreateTempSubdirectory(prefix + "-").FullName);

    public string Path { get; }

    /// <summary>The full path of <paramref name="relative"/> inside this directory (not created).</summary>
    public string Combine(string relative) => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open (Windows) stays behind in the temp folder.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public override string ToString() => Path;
}
