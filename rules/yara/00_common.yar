/* 00_common.yar - shared conditions of comb's bundled YARA rules.
 *
 * The files of rules/yara/ are compiled in name order into one namespace
 * ("comb"), so the private rules here can be used by every other file.
 * Rules written for comb; every public rule carries the meta id, family,
 * category (webshell | reverse-shell | miner | hacktool), severity and
 * description. */

/* YARA rule sources (a rule set in an image, or a scanner binary that embeds
 * its rules, comb's own included) name every marker below without being
 * malware. This global rule silences the bundled rules on such files; it
 * applies to the "comb" namespace only, so user rules still see them. */
global private rule comb_not_yara_source
{
    strings:
        $meta = /\bmeta:\s{1,20}(id|description|author|family)\s{0,4}=/
        $cond = /\bcondition:\s{1,20}\S/
        $rule = /\brule [A-Za-z_][A-Za-z0-9_]{0,120}\s{0,10}(:[ A-Za-z0-9_]{1,200})?\{/
    condition:
        not ($meta and $cond and $rule)
}

private rule comb_php
{
    strings:
        $open = "<?php" nocase
        $short = /<\?(=|\s)/
    condition:
        $open or $short
}

private rule comb_jsp
{
    strings:
        $scriptlet = /<%[@!=\s]/
        $jspx = "jsp:scriptlet"
    condition:
        $scriptlet or $jspx
}

private rule comb_asp
{
    strings:
        $tag = /<%[@=\s]/
        $runat = /runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        $tag or $runat
}

private rule comb_executable
{
    condition:
        uint32(0) == 0x464c457f or uint16(0) == 0x5a4d or uint32(0) == 0xfeedfacf or
        uint32(0) == 0xcffaedfe
}
