"""Announcement HTML becomes plain text, split into overview / who may apply / support."""

from __future__ import annotations

import pytest

from recommender.bizinfo.text import html_to_text, split_sections


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>R&amp;D &lt;지원&gt; &quot;공고&quot;</p>", 'R&D <지원> "공고"'),
        ("<p>중소기업&nbsp;&nbsp;&nbsp;지원</p>", "중소기업 지원"),
        ("<p>첫 줄<br>둘째 줄<br/>셋째 줄</p>", "첫 줄\n둘째 줄\n셋째 줄"),
        (
            "<div><p><b>굵게</b> <span style='x'>그리고 <i>기울임</i></span></p></div>",
            "굵게 그리고 기울임",
        ),
        ("<p>하나</p><p><br></p><p>   </p><p>둘</p>", "하나\n둘"),
        ("<p>\u200b☞ 대상</p>", "☞ 대상"),
        ("줄바꿈 없는   평문", "줄바꿈 없는 평문"),
        ("<script>var x = 1;</script><p>보이는 글</p>", "보이는 글"),
    ],
)
def test_html_to_text_unescapes_keeps_paragraph_breaks_and_collapses_spaces(html, text):
    assert html_to_text(html) == text


@pytest.mark.parametrize("empty", [None, "", "<p><br></p>"])
def test_html_to_text_of_nothing_is_empty(empty):
    assert html_to_text(empty) == ""


def test_split_sections_follows_the_two_arrow_markers():
    text = html_to_text(
        "<p>개요 문단</p><p>☞ 도내 중소기업</p><p>- 제조업</p>"
        "<p>☞ 컨설팅 지원</p><p>※ 공고문 참조</p>"
    )
    sections = split_sections(text)
    assert sections.intro == "개요 문단"
    assert sections.target == "☞ 도내 중소기업\n- 제조업"
    assert sections.support == "☞ 컨설팅 지원\n※ 공고문 참조"


def test_split_sections_without_markers_is_all_overview():
    sections = split_sections("그냥 설명입니다")
    assert sections == ("그냥 설명입니다", "", "")
