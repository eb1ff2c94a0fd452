#!/usr/bin/env python3
"""Reads a JUnit XML file as GitLab (artifacts:reports:junit) and Jenkins do and checks its
shape: testsuites > testsuite > testcase, counts that match, a <failure> whose message says
what was required. Prints "<testcases> <failures>"."""
import sys
import xml.etree.ElementTree as ET


def main():
    root = ET.parse(sys.argv[1]).getroot()
    assert root.tag == "testsuites", root.tag
    suites = root.findall("testsuite")
    assert len(suites) >= 1, "no testsuite"
    cases, failed = [], []
    for suite in suites:
        here = suite.findall("testcase")
        broken = [case for case in here if case.find("failure") is not None]
        assert int(suite.get("tests")) == len(here), (suite.get("tests"), len(here))
        assert int(suite.get("failures")) == len(broken), (suite.get("failures"), len(broken))
        for case in here:
            assert case.get("classname") and case.get("name"), case.attrib
        for case in broken:
            message = case.find("failure").get("message")
            assert message and "required" in message, message
        cases += here
        failed += broken
    assert int(root.get("tests")) == len(cases) and int(root.get("failures")) == len(failed)
    print(len(cases), len(failed))


if __name__ == "__main__":
    main()
