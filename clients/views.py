from django.shortcuts import render

from clients.records import client_record_open, record_context


def list(request):  # stub: replaced by the clients work
    return render(request, "_stub.html", {"stub_title": "list"})


def intake(request):  # stub: replaced by the clients work
    return render(request, "_stub.html", {"stub_title": "intake"})


def detail(request, pk):  # stub: replaced by the clients work
    client = client_record_open(request, pk)
    return render(request, "clients/_record_stub.html", record_context(client, "profile"))
