using System.Collections.Frozen;

namespace Crm.Duplicates;

/// <summary>Common English given-name diminutives and the names they stand for: Bob and Robert are one given name.</summary>
public static class Nicknames
{
    private static readonly FrozenDictionary<string, string> Formal = Build(
        "robert: bob bobby rob robbie bert",
        "william: bill billy will willy liam",
        "richard: rick ricky dick rich richie",
        "james: jim jimmy jamie",
        "john: jack johnny jon",
        "jonathan: jonny jonathon",
        "michael: mike mikey mick mickey",
        "thomas: tom tommy",
        "charles: charlie chuck chas",
        "joseph: joe joey",
        "daniel: dan danny",
        "david: dave davy",
        "edward: ed eddie ted teddy ned",
        "anthony: tony",
        "christopher: chris kit",
        "matthew: matt",
        "andrew: andy drew",
        "nicholas: nick nicky",
        "alexander: alex sandy",
        "benjamin: ben benny",
        "samuel: sam sammy",
        "stephen: steve stevie steven",
        "peter: pete",
        "patrick: pat paddy",
        "gregory: greg",
        "timothy: tim timmy",
        "kenneth: ken kenny",
        "ronald: ron ronnie",
        "donald: don donnie",
        "lawrence: larry",
        "gerald: gerry jerry",
        "frederick: fred freddie",
        "henry: harry hank",
        "francis: frank frankie",
        "philip: phil",
        "raymond: ray",
        "douglas: doug",
        "jeffrey: jeff geoffrey",
        "leonard: leo len lenny",
        "zachary: zach zack",
        "elizabeth: liz lizzie beth betty betsy eliza libby",
        "margaret: maggie meg peggy marge margie",
        "catherine: kate katie cathy kathy kathryn katherine",
        "jennifer: jen jenny",
        "patricia: pat patty trish tricia",
        "susan: sue susie suzanne",
        "deborah: deb debbie debra",
        "barbara: barb babs",
        "rebecca: becky becca",
        "victoria: vicky tori",
        "christine: chris chrissy kristine christina",
        "jessica: jess jessie",
        "samantha: sam sammie",
        "alexandra: alex lexi sandra",
        "abigail: abby gail",
        "dorothy: dot dottie",
        "eleanor: ellie nell nora",
        "jacqueline: jackie",
        "josephine: jo josie",
        "kimberly: kim",
        "amanda: mandy",
        "melissa: mel missy",
        "pamela: pam",
        "theresa: terry tess tessa teresa",
        "virginia: ginny",
        "cynthia: cindy",
        "judith: judy",
        "nancy: nan",
        "mary: molly polly mae",
        "ann: annie anne anna nancy",
        "sarah: sally sara");

    /// <summary>The formal name a given name is short for, or the name itself.</summary>
    public static string Canonical(string given) => Formal.GetValueOrDefault(given, given);

    private static FrozenDictionary<string, string> Build(params string[] lines)
    {
        var formal = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var (name, shorts) = (line[..line.IndexOf(':')], line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            foreach (var nickname in shorts)
            {
                // A diminutive of two names (Pat, Chris, Alex, Sam) stands for the first listed.
                formal.TryAdd(nickname, name);
            }
        }

        return formal.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
