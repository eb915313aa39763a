using System.Data.Common;
using Dapper;

namespace Coupons.Storage;

/// <summary>The Idempotency-Key a request runs under: its writes mark the key in their own transaction.</summary>
public sealed record IdempotencyScope(long OrgId, string Key, string Owner)
{
    static readonly AsyncLocal<IdempotencyScope?> CurrentScope = new();

    public static IdempotencyScope? Current
    {
        get => CurrentScope.Value;
        set => CurrentScope.Value = value;
    }
}

/// <summary>A write made under a key that another request has since taken over: it is rolled back, never committed.</summary>
public sealed class IdempotencyKeyLostException() : Exception("the Idempotency-Key was taken over by a retry");

public enum ClaimKind { Owned, Replay, InProgress, Mismatch, OutcomeUnknown }

public sealed record IdempotencyClaim(ClaimKind Kind, string? Owner = null, int Status = 0, string? ContentType = null, byte[]? Body = null);

/// <summary>Idempotency keys: claim, mark inside the request's writes, complete with the answer, or release.</summary>
public abstract partial class SqlStore
{
    int claims;

    /// <summary>
    /// Wraps a write so that, when it runs for a request under an Idempotency-Key, the key is marked committed in the
    /// same transaction — only while this request still owns the key. The scope is read now, in the caller's flow.
    /// </summary>
    protected static Func<DbConnection, DbTransaction, Task<T>> UnderIdempotencyKey<T>(Func<DbConnection, DbTransaction, Task<T>> work)
    {
        if (IdempotencyScope.Current is not { } scope) return work;
        return async (c, tx) =>
        {
            var result = await work(c, tx);
            var marked = await c.ExecuteAsync(
                "UPDATE idempotency_keys SET state = 'committed' WHERE org_id = @OrgId AND idem_key = @Key AND owner = @Owner AND state <> 'done'",
                scope, tx);
            if (marked == 0) throw new IdempotencyKeyLostException();
            return result;
        };
    }

    public async Task<IdempotencyClaim> ClaimIdempotencyKeyAsync(long orgId, string key, string requestHash, TimeSpan lifetime, TimeSpan lease)
    {
        var now = Now;
        if (Interlocked.Increment(ref claims) % 500 == 0)
            await WriteAsync(async (c, tx) => await c.ExecuteAsync("DELETE FROM idempotency_keys WHERE expires_at < @now", new { now }, tx));
        using var _ = SuspendScope();
        return await WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("DELETE FROM idempotency_keys WHERE org_id = @orgId AND idem_key = @key AND expires_at < @now", new { orgId, key, now }, tx);
            var owner = Guid.NewGuid().ToString("N");
            var inserted = await c.ExecuteAsync(
                """
                INSERT INTO idempotency_keys (org_id, idem_key, request_hash, owner, state, started_at, expires_at)
                VALUES (@orgId, @key, @requestHash, @owner, 'started', @now, @expires)
                ON CONFLICT (org_id, idem_key) DO NOTHING
                """, new { orgId, key, requestHash, owner, now, expires = now + lifetime }, tx);
            if (inserted == 1) return new IdempotencyClaim(ClaimKind.Owned, owner);

            var row = await c.QuerySingleAsync<KeyRow>(
                $"SELECT request_hash, state, response_status, response_type, response_body, started_at FROM idempotency_keys WHERE org_id = @orgId AND idem_key = @key{ForUpdate}",
                new { orgId, key }, tx);
            if (row.RequestHash != requestHash) return new IdempotencyClaim(ClaimKind.Mismatch);
            switch (row.State)
            {
                case "done":
                    return new IdempotencyClaim(ClaimKind.Replay, Status: row.ResponseStatus ?? 200, ContentType: row.ResponseType, Body: row.ResponseBody ?? []);
                case "committed":
                    return new IdempotencyClaim(ClaimKind.OutcomeUnknown);
                default:
                    if (row.StartedAt > now - lease) return new IdempotencyClaim(ClaimKind.InProgress);
                    // The first attempt committed nothing and has gone quiet: this retry takes the key over. Should the first
                    // still try to commit, its mark finds another owner and its transaction rolls back.
                    await c.ExecuteAsync("UPDATE idempotency_keys SET owner = @owner, started_at = @now WHERE org_id = @orgId AND idem_key = @key",
                        new { orgId, key, owner, now }, tx);
                    return new IdempotencyClaim(ClaimKind.Owned, owner);
            }
        });
    }

    public async Task CompleteIdempotencyKeyAsync(long orgId, string key, string owner, int status, string? contentType, byte[] body)
    {
        using var _ = SuspendScope();
        await WriteAsync(async (c, tx) => await c.ExecuteAsync(
            """
            UPDATE idempotency_keys SET state = 'done', response_status = @status, response_type = @contentType, response_body = @body
            WHERE org_id = @orgId AND idem_key = @key AND owner = @owner
            """, new { orgId, key, owner, status, contentType, body }, tx));
    }

    public async Task ReleaseIdempotencyKeyAsync(long orgId, string key, string owner)
    {
        using var _ = SuspendScope();
        await WriteAsync(async (c, tx) => await c.ExecuteAsync(
            "DELETE FROM idempotency_keys WHERE org_id = @orgId AND idem_key = @key AND owner = @owner AND state = 'started'",
            new { orgId, key, owner }, tx));
    }

    /// <summary>The key's own bookkeeping is not one of the request's writes.</summary>
    static Restore SuspendScope()
    {
        var saved = IdempotencyScope.Current;
        IdempotencyScope.Current = null;
        return new Restore(saved);
    }

    readonly struct Restore(IdempotencyScope? saved) : IDisposable
    {
        public void Dispose() => IdempotencyScope.Current = saved;
    }

    sealed class KeyRow
    {
        public string RequestHash { get; set; } = "";
        public string State { get; set; } = "";
        public int? ResponseStatus { get; set; }
        public string? ResponseType { get; set; }
        public byte[]? ResponseBody { get; set; }
        public DateTimeOffset StartedAt { get; set; }
    }
}
