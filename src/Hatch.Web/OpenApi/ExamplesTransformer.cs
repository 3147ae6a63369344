using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Hatch.Web.OpenApi;

/// <summary>
/// An example body for every request that takes JSON, and for what each action (POST, PUT) answers, shown and
/// pre-filled in the reference's "try it". Keyed by the operation as the document names it; the test
/// <c>ApiReferenceTests</c> fails on an operation that needs one and has none, and on an example for no operation.
/// </summary>
internal sealed class ExamplesTransformer : IOpenApiOperationTransformer
{
    private const string Json = "application/json";

    /// <summary>A request body, and what the operation answers on success (put on each of its JSON 2xx responses).</summary>
    public sealed record Example(string? Request = null, string? Response = null);

    private const string Token = """{"tokenType":"Bearer","accessToken":"CfDJ8Kx…(opaque)","expiresIn":3600,"refreshToken":"CfDJ8Ly…(opaque)"}""";

    private const string ImportReport = """
        {"format":"kindle","imported":42,"duplicates":3,"rejected":[{"line":118,"reason":"the highlight text is empty"}],
         "notes":5,"notesWithoutHighlight":1,"keptNotes":[],"notesStored":1,"bookmarks":2,"truncatedByDevice":1,
         "skipped":[{"line":118,"reason":"the highlight text is empty"}],"warnings":[],"probableDuplicates":[],"nearDuplicateCheck":"checked"}
        """;

    private const string Article = """
        {"title":"Practice compounds only with feedback",
         "overview":"Three books agree that deliberate practice works when each attempt is measured [1, 2].",
         "sections":[{"heading":"Feedback makes repetition count","body":"Repetition without a signal only entrenches habits [1].","citations":[1]},
                     {"heading":"Small loops beat long plans","body":"Short cycles of trying and checking teach faster [2, 3].","citations":[2,3]}],
         "advice":[{"title":"Measure one thing","detail":"Pick one number that shows progress and check it weekly.","citations":[1]},
                   {"title":"Shorten the loop","detail":"Get feedback within a day of each attempt.","citations":[2]},
                   {"title":"Write down the misses","detail":"Keep a log of what did not work and why.","citations":[3]}],
         "conclusion":"Practice pays when every round tells you something [1, 3].","readingMinutes":4}
        """;

    private const string Draft = """
        {"id":"3f1c2a9e-5b7d-4e21-9a0b-6c8d7e5f4a31","requestId":"8a2b4c6d-1e3f-4a5b-8c7d-9e0f1a2b3c4d","status":"Submitted",
         "createdAt":"2026-05-01T09:00:00+00:00","title":"Practice compounds only with feedback","language":"en","authorName":"Ada",
         "article":
        """ + Article + """
        ,
         "highlights":[{"number":1,"highlightId":"0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a","text":"Practice without feedback is repetition.",
                        "source":"Peak","author":"Anders Ericsson","url":null,"location":"p. 14","cited":true}],
         "provenance":{"writer":"Extractive","highlightsConsidered":12,"highlightsUsed":3,"highlightsLeftOut":9},
         "markdown":"# Practice compounds only with feedback\n\n…","revision":2,"style":"essay","updatedAt":"2026-05-01T10:30:00+00:00",
         "rejectionReason":null,"submittedAt":"2026-05-01T10:31:00+00:00","approvedAt":null,"publishedAt":null,"slug":null,"publicUrl":null,
         "actions":["Approve","Reject"],"grounding":null}
        """;

    private const string Connection = """
        {"id":"5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c","service":"readwise","username":null,"status":"Syncing","lastSyncedAt":null,
         "imported":0,"error":null,"tokenHint":"…a1b2","nextSyncAt":null,"createdAt":"2026-05-01T09:00:00+00:00"}
        """;

    private const string Comment = """
        {"id":"7c6b5a49-3827-4e16-a5f4-e3d2c1b0a9f8","userId":"b2c3…","userName":"editor@example.com","body":"The second section needs a source.","sectionIndex":1,"createdAt":"2026-05-01T11:00:00+00:00"}
        """;

    private const string DigestSettings = """
        {"enabled":true,"cadence":"weekly","cron":null,"localTime":"08:30","dayOfWeek":"Monday","timeZone":"Europe/Berlin",
         "minNewHighlights":5,"maxHighlights":40,"style":"briefing","language":"en","submitForReview":false,"delivery":"both"}
        """;

    public static readonly IReadOnlyDictionary<string, Example> Examples = new Dictionary<string, Example>(StringComparer.Ordinal)
    {
        ["POST /api/auth/register"] = new("""{"email":"me@example.com","password":"Passw0rd!x"}"""),
        ["POST /api/auth/login"] = new("""{"email":"me@example.com","password":"Passw0rd!x"}""", Token),
        ["POST /api/auth/refresh"] = new("""{"refreshToken":"CfDJ8Ly…(from login)"}""", Token),
        ["POST /api/auth/resendConfirmationEmail"] = new("""{"email":"me@example.com"}"""),
        ["POST /api/auth/forgotPassword"] = new("""{"email":"me@example.com"}"""),
        ["POST /api/auth/resetPassword"] = new("""{"email":"me@example.com","resetCode":"CfDJ8…(from the email)","newPassword":"N3w-Passw0rd!"}"""),
        ["POST /api/auth/manage/2fa"] = new("""{"enable":false,"resetSharedKey":false,"resetRecoveryCodes":false,"forgetMachine":false}""",
            """{"sharedKey":"JBSWY3DPEHPK3PXP","recoveryCodesLeft":10,"recoveryCodes":null,"isTwoFactorEnabled":false,"isMachineRemembered":false}"""),
        ["POST /api/auth/manage/info"] = new("""{"newEmail":null,"newPassword":"N3w-Passw0rd!","oldPassword":"Passw0rd!x"}""",
            """{"email":"me@example.com","isEmailConfirmed":false}"""),

        ["POST /api/highlights"] = new("""
            [{"text":"Practice without feedback is repetition.","source":"Peak","author":"Anders Ericsson","page":"14","tags":["practice"]},
             {"text":"What gets measured gets managed.","source":"The Practice of Management","note":"Often misquoted."}]
            """, ImportReport),
        ["POST /api/highlights/import"] = new(Response: ImportReport),
        ["POST /api/hatches"] = new("""{"tag":"practice","style":"briefing","language":"en","length":"medium"}""",
            """{"id":"8a2b4c6d-1e3f-4a5b-8c7d-9e0f1a2b3c4d","status":"Queued"}"""),
        ["POST /api/hatches/{id}/retry"] = new(Response: """{"id":"8a2b4c6d-1e3f-4a5b-8c7d-9e0f1a2b3c4d","status":"Queued"}"""),
        ["PUT /api/drafts/{id}"] = new("""{"expectedRevision":2,"article":""" + Article + "}", Draft),
        ["POST /api/drafts/{id}/submit"] = new(Response: Draft),
        ["POST /api/drafts/{id}/approve"] = new("""{"expectedRevision":2}""", Draft.Replace("\"Submitted\"", "\"Approved\"")),
        ["POST /api/drafts/{id}/reject"] = new("""{"reason":"The second section cites nothing; add a source or cut it."}""", Draft.Replace("\"Submitted\"", "\"Rejected\"")),
        ["POST /api/drafts/{id}/publish"] = new("""{"expectedRevision":2}""", Draft.Replace("\"Submitted\"", "\"Published\"")),
        ["POST /api/drafts/{id}/revisions/{number}/restore"] = new("""{"expectedRevision":3}""", Draft),
        ["POST /api/drafts/{id}/comments"] = new("""{"body":"The second section needs a source.","sectionIndex":1}""", Comment),
        ["POST /api/drafts/{id}/sections/{index}/revise"] = new("""{"instruction":"Make it concrete: one example from the highlights."}""",
            """{"id":"2b3c4d5e-6f70-4812-93a4-b5c6d7e8f901","status":"Queued","sectionIndex":1}"""),
        ["PUT /api/digest-settings"] = new(DigestSettings, DigestSettings),
        ["POST /api/digest-settings/feed-token"] = new(Response: """{"url":"http://localhost:5080/digests/3q2-7w_Xk9LmN0pQrStUvWxYz1A2B3C4D5E6F7G8H9I/feed.atom"}"""),
        ["PUT /api/review/notifications"] = new("""{"emailOnSubmission":true}""", """{"emailOnSubmission":true,"emailConfigured":true}"""),
        ["POST /api/connections"] = new("""{"service":"readwise","token":"YOUR-READWISE-ACCESS-TOKEN","username":null}""", Connection),
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!Examples.TryGetValue(OperationKey.Of(context.Description), out var example)) return Task.CompletedTask;
        if (example.Request is { } request && operation.RequestBody?.Content?.TryGetValue(Json, out var body) == true)
            body.Example = JsonNode.Parse(request);
        if (example.Response is { } response)
            foreach (var (_, answer) in (operation.Responses ?? []).Where(r => r.Key.StartsWith('2')))
                if (answer.Content?.TryGetValue(Json, out var content) == true)
                    content.Example = JsonNode.Parse(response);
        return Task.CompletedTask;
    }
}
