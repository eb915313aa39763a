namespace Coupons.Storage;

/// <summary>The versioned schema scripts embedded in this assembly: migrations/NNNN_name.sql, applied in order.</summary>
static class Migrations
{
    public static IReadOnlyList<(int Version, string Name, string Sql)> For(string backendFolder)
    {
        var asm = typeof(Migrations).Assembly;
        var prefix = $"Coupons.Storage.{backendFolder}.migrations.";
        return asm.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var name = n[prefix.Length..^4];
                var version = int.Parse(name[..name.IndexOf('_')]);
                using var stream = asm.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return (version, name, reader.ReadToEnd());
            })
            .OrderBy(m => m.version)
            .ToList();
    }
}
