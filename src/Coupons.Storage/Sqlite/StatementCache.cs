using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Coupons.Storage.Sqlite;

/// <summary>
/// An open SQLite connection that keeps its prepared statements. Microsoft.Data.Sqlite prepares a statement per
/// command object and drops it with the command (dotnet/efcore#14044), and Dapper makes a new command for every call,
/// so each query was compiled afresh: a fifth of the CPU of a read, more for the redeem's joined facts query. Commands
/// made here look up a command already prepared for the same SQL text on this connection and run it with the new
/// parameters. The connection stays open for as long as its owner keeps it (the writer for the process's life, a read
/// connection in the store's idle list).
/// </summary>
public sealed class StatementCachingConnection : DbConnection
{
    // Statements differ only by text; texts made per call (Dapper's IN-list expansion) stop being cached past this.
    const int MaxStatements = 256;

    readonly Dictionary<string, Entry> statements = new(StringComparer.Ordinal);
    readonly Action<StatementCachingConnection>? giveBack;
    bool closed;

    sealed class Entry(SqliteCommand command)
    {
        public SqliteCommand Command { get; } = command;
        public bool InUse;
    }

    /// <param name="giveBack">Called instead of closing when the user disposes it (an idle list); null: dispose closes it.</param>
    public StatementCachingConnection(SqliteConnection inner, Action<StatementCachingConnection>? giveBack = null)
    {
        Inner = inner;
        this.giveBack = giveBack;
    }

    public SqliteConnection Inner { get; }

    /// <summary>True while a transaction is open on the connection (SQLite's own autocommit flag).</summary>
    public bool InTransaction => SQLitePCL.raw.sqlite3_get_autocommit(Inner.Handle) == 0;

    public SqliteTransaction BeginTransaction(bool deferred) => Inner.BeginTransaction(deferred);

    [AllowNull]
    public override string ConnectionString
    {
        get => Inner.ConnectionString;
        set => throw new NotSupportedException("the connection string of an open cached connection cannot change");
    }

    public override string Database => Inner.Database;
    public override string DataSource => Inner.DataSource;
    public override string ServerVersion => Inner.ServerVersion;
    public override ConnectionState State => closed ? ConnectionState.Closed : Inner.State;
    public override void ChangeDatabase(string databaseName) => Inner.ChangeDatabase(databaseName);
    public override void Open() => throw new NotSupportedException("a cached connection is handed out open");
    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => Inner.BeginTransaction(isolationLevel);
    protected override DbCommand CreateDbCommand() => new CachedCommand(this);

    /// <summary>Marks the connection as handed out again (after it was given back).</summary>
    public void Reuse() => closed = false;

    public override void Close()
    {
        if (closed) return;
        closed = true;
        if (giveBack is not null) giveBack(this);
        else CloseForGood();
    }

    /// <summary>Finalizes every statement and closes the SQLite connection.</summary>
    public void CloseForGood()
    {
        closed = true;
        foreach (var entry in statements.Values) entry.Command.Dispose();
        statements.Clear();
        Inner.Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Close();
        base.Dispose(disposing);
    }

    SqliteCommand Borrow(string text, out bool cached)
    {
        if (statements.TryGetValue(text, out var entry) && !entry.InUse)
        {
            entry.InUse = true;
            cached = true;
            return entry.Command;
        }
        var command = Inner.CreateCommand();
        command.CommandText = text;
        cached = entry is null && text.Length > 0 && statements.Count < MaxStatements;
        if (cached) statements[text] = new Entry(command) { InUse = true };
        return command;
    }

    void Return(SqliteCommand command, bool cached)
    {
        if (!cached || !statements.TryGetValue(command.CommandText, out var entry) || !ReferenceEquals(entry.Command, command))
        {
            command.Dispose();
            return;
        }
        command.Parameters.Clear();
        command.Transaction = null;
        entry.InUse = false;
    }

    /// <summary>A command whose SQLite statement belongs to the connection: disposing it keeps the statement prepared.</summary>
    sealed class CachedCommand(StatementCachingConnection owner) : DbCommand
    {
        SqliteCommand? inner;
        bool cached;
        string text = "";
        SqliteTransaction? transaction;
        int timeout = -1;

        SqliteCommand Inner => inner ??= Take("");

        SqliteCommand Take(string sql)
        {
            var command = owner.Borrow(sql, out cached);
            command.Transaction = transaction;
            if (timeout >= 0) command.CommandTimeout = timeout;
            return command;
        }

        [AllowNull]
        public override string CommandText
        {
            get => text;
            set
            {
                value ??= "";
                if (inner is not null && value == text) return;
                // Parameters added before the text changed (Dapper expands IN lists that way) move to the new statement.
                var carried = inner is null ? [] : inner.Parameters.Cast<SqliteParameter>().ToArray();
                if (inner is not null)
                {
                    inner.Parameters.Clear();
                    owner.Return(inner, cached);
                }
                text = value;
                inner = Take(value);
                foreach (var p in carried) inner.Parameters.Add(p);
            }
        }

        public override int CommandTimeout
        {
            get => Inner.CommandTimeout;
            set
            {
                timeout = value;
                Inner.CommandTimeout = value;
            }
        }

        public override CommandType CommandType
        {
            get => CommandType.Text;
            set
            {
                if (value != CommandType.Text) throw new ArgumentException("SQLite runs text commands only");
            }
        }

        public override bool DesignTimeVisible { get; set; }
        public override UpdateRowSource UpdatedRowSource { get; set; }

        protected override DbConnection? DbConnection
        {
            get => owner;
            set => throw new NotSupportedException("a cached command stays on its connection");
        }

        protected override DbParameterCollection DbParameterCollection => Inner.Parameters;

        protected override DbTransaction? DbTransaction
        {
            get => transaction;
            set
            {
                transaction = (SqliteTransaction?)value;
                if (inner is not null) inner.Transaction = transaction;
            }
        }

        public override void Cancel() => inner?.Cancel();
        protected override DbParameter CreateDbParameter() => new SqliteParameter();
        public override void Prepare() => Inner.Prepare();
        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => Inner.ExecuteReader(behavior);
        public override int ExecuteNonQuery() => Inner.ExecuteNonQuery();
        public override object? ExecuteScalar() => Inner.ExecuteScalar();

        protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken) =>
            await Inner.ExecuteReaderAsync(behavior, cancellationToken);

        public override Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken) => Inner.ExecuteNonQueryAsync(cancellationToken);
        public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken) => Inner.ExecuteScalarAsync(cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing && inner is not null)
            {
                owner.Return(inner, cached);
                inner = null;
            }
            base.Dispose(disposing);
        }
    }
}
