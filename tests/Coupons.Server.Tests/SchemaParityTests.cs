using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Coupons.Server.Tests;

/// <summary>
/// The two folders of migrations build one schema: the same tables and columns, each of the same kind and
/// nullability, the same keys, foreign keys and named indexes. Both databases are migrated by the real start-up.
/// </summary>
public sealed class SchemaParityTests
{
    /// <summary>
    /// The SQLite declared type that stores each PostgreSQL type the migrations use: a coarse kind, since SQLite has no
    /// boolean, timestamp or decimal type.
    /// </summary>
    static readonly Dictionary<string, string> SqliteTypeOf = new()
    {
        ["smallint"] = "INTEGER",
        ["integer"] = "INTEGER",
        ["bigint"] = "INTEGER",
        ["boolean"] = "INTEGER", // 0 or 1
        ["text"] = "TEXT",
        ["timestamp with time zone"] = "TEXT", // ISO-8601 in UTC
        ["numeric"] = "TEXT", // the exact decimal, never REAL
        ["bytea"] = "BLOB",
    };

    /// <summary>
    /// Differences the schema has on purpose or can live with; a new one fails the test, and so does one that is gone
    /// (then delete it here). data_protection_keys.name (0005) is a TEXT PRIMARY KEY, which PostgreSQL makes NOT NULL
    /// and SQLite does not (a rowid table's non-integer key accepts NULL). The framework always names its keys, so no
    /// NULL can arrive; rebuilding the table in SQLite to add NOT NULL is not worth a migration.
    /// </summary>
    static readonly string[] KnownDifferences =
    [
        "PostgreSQL only: data_protection_keys.name: TEXT not null",
        "SQLite only:     data_protection_keys.name: TEXT null",
    ];

    [Fact]
    public async Task Both_backends_migrations_make_the_same_tables_columns_keys_and_indexes()
    {
        await using var sqliteApp = new SqliteApp();
        await using var postgresApp = new PostgresApp();
        _ = sqliteApp.Services;
        _ = postgresApp.Services;

        await using var sqlite = new SqliteConnection(sqliteApp.ConnectionString);
        await using var postgres = new NpgsqlConnection(postgresApp.ConnectionString);
        await sqlite.OpenAsync();
        await postgres.OpenAsync();

        var sqliteSchema = await SqliteSchemaAsync(sqlite);
        var postgresSchema = await PostgresSchemaAsync(postgres);

        // Each kind of line is read from both catalogues: a query that finds nothing cannot pass for agreement.
        string[] samples =
        [
            "coupons.code: TEXT not null", "coupons primary key (id)", "stores unique (org_id, code)",
            "coupons.series_id references series(id)", "coupons index coupons_pool partial (series_id, id)",
        ];
        foreach (var line in samples)
        {
            Assert.Contains(line, sqliteSchema);
            Assert.Contains(line, postgresSchema);
        }
        var differences = postgresSchema.Except(sqliteSchema).Select(s => "PostgreSQL only: " + s)
            .Concat(sqliteSchema.Except(postgresSchema).Select(s => "SQLite only:     " + s))
            .Order(StringComparer.Ordinal);
        Assert.True(differences.SequenceEqual(KnownDifferences), string.Join("\n", differences));
    }

    /// <summary>One line per column, key, foreign key and explicitly created index, written as SQLite would declare it.</summary>
    static async Task<SortedSet<string>> SqliteSchemaAsync(SqliteConnection c)
    {
        var schema = new SortedSet<string>(StringComparer.Ordinal);
        var columns = await RowsAsync(c, """
            SELECT m.name, p.name, upper(p.type), p."notnull", p.pk, (SELECT count(*) FROM pragma_table_info(m.name) WHERE pk > 0)
            FROM sqlite_master m JOIN pragma_table_info(m.name) p
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
            ORDER BY m.name, p.pk
            """);
        foreach (var (table, rows) in columns.GroupBy(r => (string)r[0]).Select(g => (g.Key, g.ToList())))
        {
            foreach (var r in rows)
            {
                // An INTEGER PRIMARY KEY is the rowid and cannot hold NULL; any other primary key column of a rowid
                // table can (SQLite's documented quirk), unless it says NOT NULL.
                var rowid = (long)r[4] == 1 && (long)r[5] == 1 && (string)r[2] == "INTEGER";
                schema.Add($"{table}.{r[1]}: {r[2]} {((long)r[3] == 1 || rowid ? "not null" : "null")}");
            }
            var key = rows.Where(r => (long)r[4] > 0).Select(r => (string)r[1]).ToList();
            if (key.Count > 0) schema.Add($"{table} primary key ({string.Join(", ", key)})");
        }

        var foreignKeys = await RowsAsync(c, """
            SELECT m.name, f."from", f."table", f."to"
            FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
            """);
        foreach (var r in foreignKeys)
            schema.Add($"{r[0]}.{r[1]} references {r[2]}({r[3]})");

        var indexes = await RowsAsync(c, """
            SELECT m.name, il.name, il."unique", il.origin, il.partial,
                (SELECT group_concat(name, ', ') FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno))
            FROM sqlite_master m JOIN pragma_index_list(m.name) il
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
            """);
        foreach (var r in indexes)
        {
            switch ((string)r[3])
            {
                case "u":
                    schema.Add($"{r[0]} unique ({r[5]})");
                    break;
                case "c":
                    schema.Add($"{r[0]} index {r[1]}{((long)r[2] == 1 ? " unique" : "")}{((long)r[4] == 1 ? " partial" : "")} ({r[5]})");
                    break;
            }
        }
        return schema;
    }

    /// <summary>The same lines from PostgreSQL's catalogue, each type written as the SQLite type that stores its kind.</summary>
    static async Task<SortedSet<string>> PostgresSchemaAsync(NpgsqlConnection c)
    {
        var schema = new SortedSet<string>(StringComparer.Ordinal);
        var columns = await RowsAsync(c, """
            SELECT table_name::text, column_name::text, data_type::text, is_nullable::text
            FROM information_schema.columns
            WHERE table_schema = 'public'
            """);
        foreach (var r in columns)
        {
            var type = (string)r[2];
            Assert.True(SqliteTypeOf.TryGetValue(type, out var sqliteType), $"{r[0]}.{r[1]} is {type}: add to {nameof(SqliteTypeOf)} the SQLite type that stores it");
            schema.Add($"{r[0]}.{r[1]}: {sqliteType} {((string)r[3] == "YES" ? "null" : "not null")}");
        }

        var foreignKeys = await RowsAsync(c, """
            SELECT t.relname::text, a.attname::text, rt.relname::text, ra.attname::text
            FROM pg_constraint k
            JOIN pg_class t ON t.oid = k.conrelid
            JOIN pg_class rt ON rt.oid = k.confrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            CROSS JOIN LATERAL unnest(k.conkey, k.confkey) AS u(col, ref)
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = u.col
            JOIN pg_attribute ra ON ra.attrelid = rt.oid AND ra.attnum = u.ref
            WHERE k.contype = 'f' AND n.nspname = 'public'
            """);
        foreach (var r in foreignKeys)
            schema.Add($"{r[0]}.{r[1]} references {r[2]}({r[3]})");

        var indexes = await RowsAsync(c, """
            SELECT t.relname::text, i.relname::text, x.indisunique, x.indisprimary, x.indpred IS NOT NULL,
                EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = t.oid AND k.contype = 'u'),
                (SELECT string_agg(a.attname::text, ', ' ORDER BY k.ord)
                 FROM unnest(x.indkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = 'public'
            """);
        foreach (var r in indexes)
        {
            if ((bool)r[3])
                schema.Add($"{r[0]} primary key ({r[6]})");
            else if ((bool)r[5])
                schema.Add($"{r[0]} unique ({r[6]})");
            else
                schema.Add($"{r[0]} index {r[1]}{((bool)r[2] ? " unique" : "")}{((bool)r[4] ? " partial" : "")} ({r[6]})");
        }
        return schema;
    }

    static async Task<List<object[]>> RowsAsync(DbConnection c, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }
}
