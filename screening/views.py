from django.shortcuts import render

from clients.records import client_record_open, record_context


def pending(request):  # stub: replaced by the screening work
    return render(request, "_stub.html", {"stub_title": "pending"})


def client(request, pk):  # stub: replaced by the screening work
    client = client_record_open(request, pk)
    return render(request, "clients/_record_stub.html", record_context(client, "screens"))
