using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Web.Ingestion;
using Xunit.Abstractions;

namespace Crm.Tests.Hosting;

/// <summary>
/// Requests generated from the OpenAPI document: every operation, with hostile bodies, path and query values and
/// headers. None may be answered 5xx, and what is refused must change nothing: the tenant's customers, their versions
/// and timelines, its users and sources are exactly what the accepted requests made them.
/// </summary>
public sealed class OpenApiFuzzTests(ITestOutputHelper output)
{
    private const int Requests = 5200;
    private static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(3);

    /// <summary>Strings as JSON text, escapes as sent: what breaks parsers, stores and queries.</summary>
    private static readonly string[] Strings =
    [
        "\"\"", "\" \"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"x\\udc00y\"", "\"\\ud83d\\ude00\"", "\"null\"", "\"0\"", "\"-1\"",
        "\"../../etc/passwd\"", "\"%00\"", "\"' OR 1=1 --\"", "\"<script>alert(1)</script>\"", "\"ada@example.com\"", "\"+44 20 7946 0000\"",
        "\"2026-01-01T10:00:00Z\"", "\"0001-01-01T00:00:00+14:00\"", "\"9999-12-31T23:59:59Z\"", "\"call\"", "\"agent\"", "\"GB\"", "\"yes\"",
        $"\"{new string('x', 5000)}\"", "\"P30D\"", "\"e30\"", "\"{}\"", "\"\\\\\"", "\"\\\"\"",
    ];

    private static readonly string[] Scalars = ["null", "true", "false", "0", "-1", "1.5", "1e999999", "-1e999999", "99999999999999999999999999", "[]", "{}"];

    private static readonly string[] PathValues =
    [
        "x", "%00", "a%00b", "..%2F..", "%F0%9F%98%80", "%ED%A0%80", new string('a', 300), "00000000-0000-0000-0000-000000000000", "-1", "null",
    ];

    [Theory]
    [InlineData("memory")]
    [InlineData("postgres")]
    public async Task Thousands_of_hostile_requests_from_the_openapi_document_get_no_5xx_and_refused_ones_change_nothing(string store)
    {
        await using var database = store == "postgres" ? await TestPostgres.CreateAsync() : null;
        await using var web = new CrmWebFactory(database?.ConnectionString, new Dictionary<string, string?> { ["Crm:Ingest:RateLimit:EventsPerSecond"] = "0" });
        var tenant = TestTenants.New();
        var admin = await web.SignInAsync(tenant, Roles.Admin);
        var stranger = await web.SignInAsync(TestTenants.New(), Roles.Admin);
        // Events create customers of their own: the source belongs to another tenant, so that the counts below add up.
        var source = await TestSource.CreateAsync(web, await web.SignInAsync(TestTenants.New(), Roles.Admin));
        var customer = (await admin.Client.PostAsJsonAsync("/api/customers", new { displayName = "Fuzzed", emails = new[] { "fuzzed@example.com" } }).SucceededAsync()).GetProperty("id").GetString()!;
        var interaction = (await admin.Client.PostAsJsonAsync($"/api/customers/{customer}/interactions", new { channel = "note", subject = "first" }).SucceededAsync()).GetProperty("id").GetString()!;
        var othersCustomer = (await stranger.Client.PostAsJsonAsync("/api/customers", new { displayName = "Not yours" }).SucceededAsync()).GetProperty("id").GetString()!;
        var document = await (await web.CreateClient().GetAsync("/openapi/v1.json")).ReadJsonAsync();
        var operations = Operations(document).ToList();
        var before = await SnapshotAsync(admin, customer);

        var seed = Environment.TickCount & int.MaxValue;
        output.WriteLine($"seed {seed}, {operations.Count} operations");
        var context = new FuzzContext(web, admin, source, customer, interaction, othersCustomer);
        var failures = new ConcurrentBag<string>();
        var accepted = new ConcurrentDictionary<string, int>();
        var watch = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(TimeLimit);
        await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = timeout.Token }, async (n, ct) =>
        {
            var operation = operations[n % operations.Count];
            HttpResponseMessage? response = null;
            var description = "";
            for (var attempt = 1; response is null; attempt++)
            {
                var random = new Random(seed + n);
                (var request, description) = context.Build(operation, random);
                try
                {
                    response = await context.Client(random, operation).SendAsync(request, ct);
                }
                catch (HttpRequestException ex) when (attempt == 1 && ex.InnerException is IOException)
                {
                    // A server may answer a body it refuses before reading all of it and close the connection; a
                    // client still sending then sees a broken pipe instead of the answer. The same request again tells.
                }
                catch (HttpRequestException ex)
                {
                    // The server dropped the connection instead of answering: as bad as a 500.
                    failures.Add($"dropped ({ex.InnerException?.Message ?? ex.Message}) {description}");
                    return;
                }
            }

            using var _ = response;
            var status = (int)response.StatusCode;
            if (status >= 500)
            {
                failures.Add($"{status} {description}: {await response.Content.ReadAsStringAsync(ct)}");
            }
            else if (status is >= 200 and < 300)
            {
                accepted.AddOrUpdate(context.Effect(operation, response.RequestMessage!), 1, (_, c) => c + 1);
            }
        });

        output.WriteLine($"{Requests} requests in {watch.Elapsed}; accepted: {string.Join(", ", accepted.Select(a => $"{a.Key} {a.Value}"))}");
        Assert.True(failures.IsEmpty, $"{failures.Count} answers 5xx, e.g.:\n{string.Join("\n", failures.Take(20))}");
        var after = await SnapshotAsync(admin, customer);
        var created = accepted.GetValueOrDefault("create customer");
        var deleted = accepted.GetValueOrDefault("delete the customer") + accepted.GetValueOrDefault("delete another customer");
        Assert.Equal(before.Customers + created - deleted, after.Customers);
        Assert.Equal(before.Users + accepted.GetValueOrDefault("create user"), after.Users);
        Assert.Equal(before.Sources + accepted.GetValueOrDefault("create source"), after.Sources);
        if (after.Version is not null)
        {
            Assert.Equal(before.Version + accepted.GetValueOrDefault("patch the customer"), after.Version);
            Assert.Equal(before.Interactions + accepted.GetValueOrDefault("log on the customer"), after.Interactions);
        }
    }

    private sealed record Snapshot(int Customers, long? Version, long? Interactions, int Users, int Sources);

    private static async Task<Snapshot> SnapshotAsync(TestUser admin, string customer)
    {
        var customers = 0;
        string? cursor = null;
        do
        {
            var page = await (await admin.Client.GetAsync($"/api/customers?limit=200{(cursor is null ? "" : $"&cursor={cursor}")}")).ReadJsonAsync();
            customers += page.GetProperty("items").GetArrayLength();
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        var one = await admin.Client.GetAsync($"/api/customers/{customer}");
        var profile = one.IsSuccessStatusCode ? await one.ReadJsonAsync() : default;
        var timeline = one.IsSuccessStatusCode
            ? (await (await admin.Client.GetAsync($"/api/customers/{customer}/timeline?limit=200")).ReadJsonAsync()).GetProperty("items").EnumerateArray()
                .Count(i => i.GetProperty("channel").GetString() != "web")
            : (int?)null;
        return new Snapshot(
            customers,
            one.IsSuccessStatusCode ? profile.GetProperty("version").GetInt64() : null,
            timeline,
            (await (await admin.Client.GetAsync("/api/users")).ReadJsonAsync()).GetProperty("items").GetArrayLength(),
            (await (await admin.Client.GetAsync("/api/sources")).ReadJsonAsync()).GetProperty("items").GetArrayLength());
    }

    private sealed record Operation(string Method, string Path, IReadOnlyList<(string Name, string In)> Parameters, IReadOnlyList<string> BodyFields, bool HasBody);

    private static IEnumerable<Operation> Operations(JsonElement document)
    {
        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var parameters = operation.Value.TryGetProperty("parameters", out var p)
                    ? p.EnumerateArray().Select(x => (x.GetProperty("name").GetString()!, x.GetProperty("in").GetString()!)).ToList()
                    : [];
                var fields = new List<string>();
                var hasBody = operation.Value.TryGetProperty("requestBody", out var body) || operation.Name == "post";
                if (hasBody && body.ValueKind == JsonValueKind.Object)
                {
                    var reference = body.GetRawText().Split("#/components/schemas/").Skip(1).Select(r => r.Split('"')[0]).FirstOrDefault();
                    if (reference is not null && schemas.TryGetProperty(reference, out var schema) && schema.TryGetProperty("properties", out var properties))
                    {
                        fields.AddRange(properties.EnumerateObject().Select(x => x.Name));
                    }
                }

                yield return new Operation(operation.Name.ToUpperInvariant(), path.Name, parameters, fields, hasBody);
            }
        }
    }

    /// <summary>Builds one request for an operation from a seeded random source, and says what an accepted one changed.</summary>
    private sealed class FuzzContext(CrmWebFactory web, TestUser admin, TestSource source, string customer, string interaction, string othersCustomer)
    {
        private static readonly string[] SegmentFields = ["type", "userId", "anonymousId", "previousId", "groupId", "event", "name", "messageId", "timestamp", "sentAt", "traits", "properties", "context"];
        private static readonly string[] WebhookFields = ["type", "id", "occurredAt", "customer", "call", "ticket", "order"];
        private static readonly string[] Types = ["\"identify\"", "\"track\"", "\"page\"", "\"screen\"", "\"group\"", "\"alias\"", "\"call.ended\"", "\"order.placed\"", "\"ticket.created\""];

        private readonly HttpClient _anonymous = web.CreateClient();

        public HttpClient Client(Random random, Operation operation) =>
            random.Next(10) == 0 ? _anonymous : operation.Path.StartsWith("/v1/", StringComparison.Ordinal) ? source.Client : admin.Client;

        public (HttpRequestMessage Request, string Description) Build(Operation operation, Random random)
        {
            var path = operation.Path;
            foreach (var (name, place) in operation.Parameters.Where(p => p.In == "path"))
            {
                var value = random.Next(4) switch
                {
                    0 => PathValues[random.Next(PathValues.Length)],
                    // The customer whose version and timeline are counted is never deleted: its deletion would end the count.
                    1 when operation.Method != "DELETE" => name == "interactionId" ? interaction : name == "sourceId" ? source.Id.ToString() : customer,
                    2 => name == "id" && operation.Path.StartsWith("/api/customers", StringComparison.Ordinal) ? othersCustomer : Guid.NewGuid().ToString(),
                    _ => name == "id" && operation.Path.StartsWith("/api/customers", StringComparison.Ordinal) && operation.Method != "DELETE" ? customer : Guid.NewGuid().ToString(),
                };
                path = path.Replace($"{{{name}}}", value);
            }

            var query = string.Join("&", operation.Parameters.Where(p => p.In == "query" && random.Next(2) == 0)
                .Select(p => $"{p.Name}={Uri.EscapeDataString(QueryValue(random))}"));
            var request = new HttpRequestMessage(new HttpMethod(operation.Method), query.Length > 0 ? $"{path}?{query}" : path);
            // A connection of its own: a dropped connection is then this request's answer, not a race with the last one's.
            request.Headers.ConnectionClose = true;
            var body = operation.HasBody ? Body(operation, random) : null;
            if (body is not null)
            {
                request.Content = Content(body, random);
                if (operation.Path.StartsWith("/api/webhooks", StringComparison.Ordinal) && random.Next(4) != 0)
                {
                    request.Headers.TryAddWithoutValidation(WebhookSignatures.Header, random.Next(5) == 0
                        ? Header(random)
                        : WebhookSignatures.Sign(source.SigningSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));
                }
            }

            if (random.Next(6) == 0)
            {
                request.Headers.TryAddWithoutValidation("If-Match", new[] { "\"1\"", "*", "W/\"2\"", "\"-1\"", "garbage", "\"99999999999999999999\"", "\"\"" }[random.Next(7)]);
            }

            return (request, $"{operation.Method} {request.RequestUri} {(body is null ? "" : Encoding.UTF8.GetString(body[..Math.Min(body.Length, 300)]))}");
        }

        /// <summary>What an accepted request changed, in the terms the invariants count.</summary>
        public string Effect(Operation operation, HttpRequestMessage request)
        {
            var path = request.RequestUri!.OriginalString.Split('?')[0];
            return (operation.Method, operation.Path) switch
            {
                ("POST", "/api/customers") => "create customer",
                ("DELETE", "/api/customers/{id}") => path.EndsWith(customer, StringComparison.Ordinal) ? "delete the customer" : "delete another customer",
                ("PATCH", "/api/customers/{id}") when path.EndsWith(customer, StringComparison.Ordinal) => "patch the customer",
                ("POST", "/api/customers/{id}/interactions") when path.Contains(customer, StringComparison.Ordinal) => "log on the customer",
                ("POST", "/api/users") => "create user",
                ("POST", "/api/sources") => "create source",
                _ => $"{operation.Method} {operation.Path}",
            };
        }

        /// <summary>Valid bodies, one field of which is then made hostile: so that most of a request is right and what breaks is one thing.</summary>
        private static readonly Dictionary<string, (string Key, string Value)[]> Templates = new()
        {
            ["POST /api/customers"] = [("displayName", "\"Fuzz\""), ("emails", "[\"f@example.com\"]"), ("tags", "[\"t\"]"), ("attributes", "{\"plan\":\"pro\"}"), ("country", "\"GB\"")],
            ["PATCH /api/customers/{id}"] = [("company", "\"Acme\""), ("tags", "[\"x\"]"), ("attributes", "{\"plan\":\"basic\"}")],
            ["POST /api/customers/{id}/interactions"] = [("channel", "\"note\""), ("subject", "\"Fuzz\""), ("metadata", "{\"k\":\"v\"}")],
            ["POST /api/users"] = [("email", "\"user@example.com\""), ("displayName", "\"U\""), ("password", "\"long enough password\""), ("roles", "[\"agent\"]")],
            ["POST /api/sources"] = [("name", "\"Fuzz source\"")],
            ["POST /api/auth/token"] = [("username", "\"nobody@example.com\""), ("password", "\"long enough password\"")],
            ["POST /v1/track"] = [("userId", "\"fuzz-user\""), ("event", "\"Viewed\""), ("properties", "{\"sku\":\"A\"}")],
            ["POST /v1/identify"] = [("userId", "\"fuzz-user\""), ("traits", "{\"name\":\"Fuzz\",\"email\":\"fuzz@example.com\"}")],
            ["POST /v1/batch"] = [("batch", "[{\"type\":\"track\",\"userId\":\"fuzz-user\",\"event\":\"Viewed\"}]")],
            ["POST /api/webhooks/{sourceId}"] = [("type", "\"order.placed\""), ("id", "\"o-1\""), ("customer", "{\"email\":\"fuzz@example.com\"}"), ("order", "{\"total\":1}")],
        };

        private byte[] Body(Operation operation, Random random)
        {
            if (Templates.TryGetValue($"{operation.Method} {operation.Path}", out var template) && random.Next(2) == 0)
            {
                var members = template.Select(m => $"\"{m.Key}\":{m.Value}").ToList();
                var hostile = random.Next(members.Count + 1);
                var value = random.Next(2) == 0 ? Strings[random.Next(Strings.Length)] : Value(random, 1);
                if (hostile == members.Count)
                {
                    members.Add($"{Strings[random.Next(Strings.Length)]}:{value}");
                }
                else if (random.Next(4) > 0)
                {
                    members[hostile] = $"\"{template[hostile].Key}\":{value}";
                }

                return Encoding.UTF8.GetBytes($"{{{string.Join(",", members)}}}");
            }

            switch (random.Next(12))
            {
                case 0:
                    return [.. Enumerable.Range(0, random.Next(1, 64)).Select(_ => (byte)random.Next(256))];
                case 1:
                    return Encoding.UTF8.GetBytes(new string('[', 200) + new string(']', 200));
                case 2:
                    return Encoding.UTF8.GetBytes(Scalars[random.Next(Scalars.Length)]);
            }

            var fields = operation.Path.StartsWith("/v1/", StringComparison.Ordinal) ? SegmentFields
                : operation.Path.StartsWith("/api/webhooks", StringComparison.Ordinal) ? WebhookFields
                : operation.BodyFields.Count > 0 ? [.. operation.BodyFields]
                : SegmentFields;
            var message = Object(fields, random, depth: 0);
            var json = operation.Path is "/v1/batch" or "/v1/import"
                ? $"{{\"batch\":[{string.Join(",", Enumerable.Range(0, random.Next(0, 6)).Select(_ => Object(SegmentFields, random, 0)))}]{(random.Next(3) == 0 ? $",\"context\":{Value(random, 1)}" : "")}{(random.Next(4) == 0 ? $",\"sentAt\":{Strings[random.Next(Strings.Length)]}" : "")}}}"
                : message;
            var bytes = Encoding.UTF8.GetBytes(json);
            if (random.Next(15) == 0 && bytes.Length > 4)
            {
                bytes[random.Next(bytes.Length)] = 0xff;
            }

            return bytes;
        }

        private string Object(IReadOnlyList<string> fields, Random random, int depth)
        {
            var members = fields.Where(_ => random.Next(3) != 0).Select(f => $"\"{f}\":{Field(f, random, depth)}").ToList();
            if (random.Next(8) == 0 && members.Count > 0)
            {
                members.Add(members[random.Next(members.Count)]);
            }

            if (random.Next(8) == 0)
            {
                members.Add($"{Strings[random.Next(Strings.Length)]}:{Value(random, depth + 1)}");
            }

            return $"{{{string.Join(",", members.OrderBy(_ => random.Next()))}}}";
        }

        private string Field(string name, Random random, int depth) => name switch
        {
            "type" when random.Next(3) != 0 => Types[random.Next(Types.Length)],
            "emails" or "phones" or "tags" or "roles" => $"[{string.Join(",", Enumerable.Range(0, random.Next(0, random.Next(10) == 0 ? 3000 : 4)).Select(_ => Value(random, depth + 1)))}]",
            "attributes" or "metadata" or "consent" or "traits" or "properties" or "context" or "customer" or "call" or "order" or "ticket" or "address" =>
                random.Next(4) == 0 ? Value(random, depth + 1) : Object(["name", "email", "phone", "plan", "total", "agent", "direction", "durationSeconds", "line1", "country", "status", "subject", "sms"], random, depth + 1),
            _ => Value(random, depth + 1),
        };

        private string Value(Random random, int depth) => random.Next(depth > 3 ? 2 : 4) switch
        {
            0 => Strings[random.Next(Strings.Length)],
            1 => Scalars[random.Next(Scalars.Length)],
            2 => $"[{string.Join(",", Enumerable.Range(0, random.Next(0, 4)).Select(_ => Value(random, depth + 1)))}]",
            _ => Object(["a", "b", "email", "name"], random, depth + 1),
        };

        private static string QueryValue(Random random)
        {
            var raw = Strings[random.Next(Strings.Length)];
            return random.Next(3) switch
            {
                0 => JsonSerializer.Deserialize<string>(raw.Replace("\\ud800", "").Replace("\\udc00", "")) ?? "",
                1 => new[] { "0", "-1", "201", "99999999999", "abc", "1.5", "" }[random.Next(7)],
                _ => Convert.ToBase64String(Encoding.UTF8.GetBytes(raw)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            };
        }

        private static string Header(Random random) => random.Next(5) switch
        {
            0 => "t=1,t=2,v1=" + new string('a', 64),
            1 => "t=99999999999999999999999,v1=00",
            2 => string.Join(",", Enumerable.Range(0, 300).Select(i => $"v1={i}")),
            3 => "t=" + DateTimeOffset.UtcNow.ToUnixTimeSeconds() + ",v1=" + new string('f', 64),
            _ => "garbage",
        };

        private static HttpContent Content(byte[] body, Random random)
        {
            HttpContent content;
            switch (random.Next(10))
            {
                case 0:
                    content = new ByteArrayContent(body);
                    content.Headers.ContentEncoding.Add(random.Next(2) == 0 ? "gzip" : "deflate");
                    break;
                case 1:
                    using (var compressed = new MemoryStream())
                    {
                        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                        {
                            gzip.Write(body);
                        }

                        content = new ByteArrayContent(compressed.ToArray());
                    }

                    content.Headers.ContentEncoding.Add("gzip");
                    break;
                default:
                    content = new ByteArrayContent(body);
                    break;
            }

            content.Headers.ContentType = new MediaTypeHeaderValue(new[] { "application/json", "application/json", "application/json", "application/merge-patch+json", "text/plain" }[random.Next(5)]);
            return content;
        }
    }
}
