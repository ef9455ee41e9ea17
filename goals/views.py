from django.shortcuts import render

from clients.records import client_record_open, record_context


def client(request, pk):  # stub: replaced by the goals work
    client = client_record_open(request, pk)
    return render(request, "clients/_record_stub.html", record_context(client, "goals"))
