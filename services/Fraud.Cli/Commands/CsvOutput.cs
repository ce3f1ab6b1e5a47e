using System.IO.Compression;
using System.Text;

namespace Fraud.Cli.Commands;

/// <summary>A buffered UTF-8 writer for an output file (gzip when the name ends in .gz), creating its folder.</summary>
internal static class CsvOutput
{
    public static TextWriter Create(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        Stream stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            stream = new GZipStream(stream, CompressionLevel.Fastest);
        }

        return new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
    }
}
