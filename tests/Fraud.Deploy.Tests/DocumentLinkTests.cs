using System.Text.RegularExpressions;
using Fraud.Deploy.Tests.Infrastructure;

namespace Fraud.Deploy.Tests;

/// <summary>Every link between the repository's own documents leads somewhere: the file exists, and so does the heading it names.</summary>
public sealed partial class DocumentLinkTests
{
    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(Repo.Root, "*.md", SearchOption.AllDirectories)
                     .Select(Repo.Relative)
                     .Where(p => !p.Split('/').Any(part => part is "node_modules" or "bin" or "obj" || part.StartsWith('.')))
                     .Order(StringComparer.Ordinal))
        {
            data.Add(path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_names_a_file_and_a_heading_that_exist(string document)
    {
        var text = Repo.Read(document);
        var directory = Path.GetDirectoryName(Repo.Path(document))!;
        var broken = new List<string>();
        foreach (Match link in Link().Matches(text))
        {
            var target = link.Groups[1].Value;
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }

            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var file = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? null : target[(hash + 1)..];
            var path = file.Length == 0 ? Repo.Path(document) : Path.GetFullPath(Path.Combine(directory, file));
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                broken.Add($"{target}: no such file");
            }
            else if (anchor is not null && path.EndsWith(".md", StringComparison.Ordinal) && !MonitoringTests.Headings(File.ReadAllText(path)).Contains(anchor))
            {
                broken.Add($"{target}: no such heading");
            }
        }

        Assert.True(broken.Count == 0, $"{document}: {string.Join("; ", broken)}");
    }

    [GeneratedRegex(@"\[[^\]]*\]\(([^)\s]+)\)")]
    private static partial Regex Link();
}
